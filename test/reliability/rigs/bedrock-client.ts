import { memoryLogger } from '../../../electron/host/log/logger';
import { BedrockClientProvider } from '../../../electron/host/processors/hosted/bedrock-client-provider';
import { socketsToPort } from '../../../electron/host/resources/proc';
import { BedrockTestServer } from '../../servers/bedrock/server';
import { DUMMY_CREDENTIALS, MODEL, REGION } from '../../processors/hosted/rig';
import { cutStream, type RigInstance } from './rig';

export const kind = 'bedrock-client';
export const capabilities = { server: true, stream: true };

process.env.AWS_EC2_METADATA_DISABLED = 'true';

const input = { modelId: MODEL, messages: [{ role: 'user' as const, content: [{ text: 'Who are you?' }] }] };

/** The Bedrock test server and a stop() that may be called more than once. */
export async function startBedrock(): Promise<{ server: BedrockTestServer; stop: () => Promise<void> }> {
  const server = await BedrockTestServer.start();
  let stopped: Promise<void> | null = null;
  return { server, stop: () => (stopped ??= server.close()) };
}

export function bedrockProvider(server: BedrockTestServer): BedrockClientProvider {
  return new BedrockClientProvider(
    { region: REGION, endpoint: server.endpoint, credentials: DUMMY_CREDENTIALS, maxAttempts: 1 },
    memoryLogger().logger,
  );
}

/** The real BedrockRuntimeClient provider on the Bedrock-protocol test server, with dummy credentials. */
export async function create(_dir: string): Promise<RigInstance> {
  const { server, stop } = await startBedrock();
  const port = server.port;
  const bedrock = bedrockProvider(server);
  return {
    provider: bedrock,
    companions: [],
    async use() {
      let tokens = 0;
      for await (const event of bedrock.converseStream(input, new AbortController().signal)) if (event.contentBlockDelta) tokens++;
      if (tokens === 0) throw new Error('the Bedrock stream carried no tokens');
    },
    killServer: stop,
    async midStream() {
      Object.assign(server.switches, { tokenDelayMs: 10, extraWords: 400 });
      return cutStream(bedrock.converseStream(input, new AbortController().signal), (e) => Boolean(e.contentBlockDelta), 2, stop);
    },
    held: () => ({ sockets: socketsToPort(port), files: [], pids: [] }),
    async dispose() {
      await bedrock.cleanup();
      await stop();
    },
  };
}
