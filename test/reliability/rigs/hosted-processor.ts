import { memoryLogger } from '../../../electron/host/log/logger';
import { HostedProcessor } from '../../../electron/host/processors/hosted/hosted-processor';
import { socketsToPort } from '../../../electron/host/resources/proc';
import { npcRequest } from '../../processors/hosted/rig';
import { renamed } from '../support/faults';
import { bedrockProvider, startBedrock } from './bedrock-client';
import { chatTurn, cutStream, isChatToken, type RigInstance } from './rig';

export const kind = 'hosted-processor';
export const capabilities = { server: true, stream: true };

/** The hosted processor on its own real Bedrock client (a companion, renamed so it can sit beside the bedrock-client rig). */
export async function create(_dir: string): Promise<RigInstance> {
  const { server, stop } = await startBedrock();
  const port = server.port;
  const bedrock = bedrockProvider(server);
  const processor = new HostedProcessor(bedrock, memoryLogger().logger);
  return {
    provider: processor,
    companions: [renamed(bedrock, 'bedrock-of-hosted-processor')],
    use: () => chatTurn(processor.chat(npcRequest(), new AbortController().signal)),
    killServer: stop,
    async midStream() {
      Object.assign(server.switches, { tokenDelayMs: 10, extraWords: 400 });
      return cutStream(processor.chat(npcRequest(), new AbortController().signal), isChatToken, 2, stop);
    },
    held: () => ({ sockets: socketsToPort(port), files: [], pids: [] }),
    async dispose() {
      await processor.cleanup();
      await bedrock.cleanup();
      await stop();
    },
  };
}
