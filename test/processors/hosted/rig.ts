import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { memoryLogger } from '../../../electron/host/log/logger';
import { BedrockClientProvider } from '../../../electron/host/processors/hosted/bedrock-client-provider';
import type { BedrockSettingsInput } from '../../../electron/host/processors/hosted/bedrock-settings';
import type { ChatEvent, ChatRequest } from '../../../electron/host/processors/processor';
import type { BedrockTestServer } from '../../servers/bedrock/server';

export const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
export const REGION = 'us-east-1';
export const DUMMY_CREDENTIALS = { accessKeyId: 'AKIDSTUDIOTEST', secretAccessKey: 'not-a-secret' };

export function npcRequest(overrides: Partial<ChatRequest> = {}): ChatRequest {
  return {
    npcId: 'mara',
    model: MODEL,
    system:
      'You are Mara, the ferrywoman of the Grey River.\nWhat you know:\n- The river freezes every tenth winter.\n- Tolls are paid in salt.',
    messages: [{ role: 'user', content: 'Who are you?' }],
    ...overrides,
  };
}

/** A provider on the real SDK client, pointed at the test server with static dummy credentials. */
export async function bedrockFor(server: BedrockTestServer, settings: Partial<BedrockSettingsInput> = {}) {
  const sinks = memoryLogger();
  const provider = new BedrockClientProvider(
    { region: REGION, endpoint: server.endpoint, credentials: DUMMY_CREDENTIALS, maxAttempts: 1, ...settings },
    sinks.logger,
  );
  await provider.initialize();
  return { provider, ...sinks };
}

export async function collect(events: AsyncIterable<ChatEvent>): Promise<{ text: string; events: ChatEvent[] }> {
  const all: ChatEvent[] = [];
  for await (const event of events) all.push(event);
  return { text: all.map((e) => (e.type === 'token' ? e.text : '')).join(''), events: all };
}

/** The AWS_* environment cleared, shared files pointed at paths that do not exist; restore() puts it back. */
export function isolateAwsEnvironment(folder: string): { restore: () => void } {
  const saved = { ...process.env };
  for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) delete process.env[key];
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(folder, 'no-such-credentials');
  process.env.AWS_CONFIG_FILE = join(folder, 'no-such-config');
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  return {
    restore: () => {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    },
  };
}

/** Every outgoing TCP connection this process starts, with the addresses it tries, from Node's own net channel. */
export function watchOutgoingConnections() {
  const attempts: { address: string; port: number }[] = [];
  let sockets = 0;
  const onSocket = (message: unknown) => {
    sockets++;
    const socket = (message as { socket: Socket }).socket;
    socket.on('connectionAttempt', (address: string, port: number) => attempts.push({ address, port }));
  };
  subscribe('net.client.socket', onSocket);
  return {
    attempts,
    get sockets() {
      return sockets;
    },
    stop: () => unsubscribe('net.client.socket', onSocket),
  };
}
