import type { Settings } from '../../../shared/settings';
import type { Provider } from '../lifecycle/provider';
import type { Logger } from '../log/logger';
import type { Processor } from '../processors/processor';
import { LocalProcessor } from '../processors/local/local-processor';
import { OllamaClientProvider } from '../processors/local/ollama-client-provider';
import type { Endpoint } from './endpoint-pool';

/** Samples a Bedrock run sends at once (Bedrock's own quotas throttle beyond this). */
export const BEDROCK_CONCURRENCY = 4;

/** An Ollama endpoint: its client lists the models (the preflight), its processor chats with options.seed. */
export function ollamaEndpoint(client: OllamaClientProvider, chat: Processor, concurrency: number): Endpoint {
  return {
    label: `ollama ${client.url}`,
    processor: 'local',
    concurrency,
    chat,
    seeded: true,
    models: async (signal) => (await client.list(signal)).models.map((m) => m.name),
  };
}

/** Bedrock: no model list is asked for (a wrong id fails its samples with Bedrock's own message), and no seed. */
export function bedrockEndpoint(chat: Processor, concurrency = BEDROCK_CONCURRENCY): Endpoint {
  return { label: 'bedrock', processor: 'hosted', concurrency, chat, seeded: false, models: async () => null };
}

export interface OllamaPool {
  /** The clients and processors of the further URLs, to register (each has its health card in Resources). */
  providers: Provider[];
  endpoints: Endpoint[];
}

/**
 * The test pool's Ollama endpoints: `ollama.url` (the chats' own client and processor) with `ollama.concurrency`,
 * then each of `ollama.endpoints` with a client and processor of its own (`ollama-pool-N`, `local-processor-pool-N`).
 */
export function ollamaPool(
  settings: Settings['ollama'],
  main: { client: OllamaClientProvider; processor: Processor },
  logger: Logger,
): OllamaPool {
  const providers: Provider[] = [];
  const endpoints: Endpoint[] = [ollamaEndpoint(main.client, main.processor, settings.concurrency ?? 1)];
  (settings.endpoints ?? []).forEach((e, i) => {
    const client = new OllamaClientProvider({ url: e.url, id: `ollama-pool-${i + 1}`, logger });
    const processor = new LocalProcessor({ client, id: `local-processor-pool-${i + 1}`, logger });
    providers.push(client, processor);
    endpoints.push(ollamaEndpoint(client, processor, e.concurrency));
  });
  return { providers, endpoints };
}
