import { memoryLogger } from '../../../electron/host/log/logger';
import { OllamaClientProvider } from '../../../electron/host/processors/local/ollama-client-provider';
import { socketsToPort } from '../../../electron/host/resources/proc';
import { OllamaTestServer } from '../../../electron/host/demo/ollama';
import { cutStream, type RigInstance } from './rig';

export const kind = 'ollama-client';
export const capabilities = { server: true, stream: true };

const turn = { model: 'llama3.2', messages: [{ role: 'user' as const, content: 'Who lit your forge?' }] };

/** The real `ollama` client provider on the Ollama test server. */
export async function create(_dir: string): Promise<RigInstance> {
  const server = new OllamaTestServer();
  await server.start();
  const port = server.port;
  const client = new OllamaClientProvider({ url: server.url, logger: memoryLogger().logger });
  return {
    provider: client,
    companions: [],
    async use() {
      let parts = 0;
      for await (const part of await client.chatStream(turn)) if (part.message?.content) parts++;
      if (parts === 0) throw new Error('the Ollama chat stream carried no tokens');
    },
    killServer: () => server.stop(),
    async midStream() {
      server.set({ tokenDelayMs: 10, replyTokens: 400 });
      return cutStream(
        await client.chatStream(turn),
        (p) => Boolean(p.message?.content),
        2,
        () => server.stop(),
      );
    },
    held: () => ({ sockets: socketsToPort(port), files: [], pids: [] }),
    async dispose() {
      await client.cleanup();
      await server.stop();
    },
  };
}
