import { memoryLogger } from '../../../electron/host/log/logger';
import { LocalProcessor } from '../../../electron/host/processors/local/local-processor';
import { OllamaClientProvider } from '../../../electron/host/processors/local/ollama-client-provider';
import type { ChatRequest } from '../../../electron/host/processors/processor';
import { socketsToPort } from '../../../electron/host/resources/proc';
import { OllamaTestServer } from '../../../electron/host/demo/ollama';
import { chatTurn, cutStream, isChatToken, type RigInstance } from './rig';

export const kind = 'local-processor';
export const capabilities = { server: true, stream: true };

export const localRequest: ChatRequest = {
  npcId: 'mira',
  model: 'llama3.2',
  system: 'You are Mira Vell, the blacksmith of Emberfall.',
  messages: [{ role: 'user', content: 'Who lit your forge?' }],
};

/** The local processor on its own real Ollama client (a companion provider) and test server. */
export async function create(_dir: string): Promise<RigInstance> {
  const server = new OllamaTestServer();
  await server.start();
  const port = server.port;
  const { logger } = memoryLogger();
  const client = new OllamaClientProvider({ url: server.url, id: 'ollama-client-of-local-processor', logger });
  const processor = new LocalProcessor({ client, logger });
  return {
    provider: processor,
    companions: [client],
    use: () => chatTurn(processor.chat(localRequest, new AbortController().signal)),
    killServer: () => server.stop(),
    async midStream() {
      server.set({ tokenDelayMs: 10, replyTokens: 400 });
      return cutStream(processor.chat(localRequest, new AbortController().signal), isChatToken, 2, () => server.stop());
    },
    held: () => ({ sockets: socketsToPort(port), files: [], pids: [] }),
    async dispose() {
      await processor.cleanup();
      await client.cleanup();
      await server.stop();
    },
  };
}
