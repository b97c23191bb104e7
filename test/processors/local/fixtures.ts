import { OllamaClientProvider, type OllamaTimeouts } from '../../../electron/host/processors/local/ollama-client-provider';
import { LocalProcessor } from '../../../electron/host/processors/local/local-processor';
import type { ChatEvent, ChatRequest } from '../../../electron/host/processors/processor';
import { OllamaTestServer, loreLine, type SwitchesPatch } from '../../../electron/host/demo/ollama';

export interface Rig {
  server: OllamaTestServer;
  client: OllamaClientProvider;
  processor: LocalProcessor;
  close(): Promise<void>;
}

/** A test server, a client provider on it and a processor on that, closed in shutdown order. */
export async function startRig(switches: SwitchesPatch = {}, timeouts: Partial<OllamaTimeouts> = {}): Promise<Rig> {
  const server = new OllamaTestServer({ switches });
  const url = await server.start();
  const client = new OllamaClientProvider({ url, timeouts });
  await client.initialize();
  const processor = new LocalProcessor({ client });
  return {
    server,
    client,
    processor,
    async close() {
      await processor.cleanup();
      await client.cleanup();
      await server.stop();
    },
  };
}

export function mirasRequest(overrides: Partial<ChatRequest> = {}): ChatRequest {
  return {
    npcId: 'mira',
    model: 'llama3.2',
    system: [
      'You are Mira Vell, the blacksmith of Emberfall.',
      loreLine('The forge was lit in the year of ash.'),
      loreLine('Mira owes the guild forty crowns.'),
    ].join('\n'),
    messages: [{ role: 'user', content: 'Who lit your forge?' }],
    ...overrides,
  };
}

/** Runs a chat to the end and returns its events, or the error it ended with. */
export async function collect(events: AsyncIterable<ChatEvent>): Promise<{ events: ChatEvent[]; error?: unknown }> {
  const seen: ChatEvent[] = [];
  try {
    for await (const e of events) seen.push(e);
    return { events: seen };
  } catch (error) {
    return { events: seen, error };
  }
}

export function replyOf(events: ChatEvent[]): string {
  return events.map((e) => (e.type === 'token' ? e.text : '')).join('');
}
