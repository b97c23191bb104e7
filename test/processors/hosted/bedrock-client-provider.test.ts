import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BedrockClientProvider } from '../../../electron/host/processors/hosted/bedrock-client-provider';
import { BedrockError } from '../../../electron/host/processors/hosted/bedrock-error';
import { HostedProcessor } from '../../../electron/host/processors/hosted/hosted-processor';
import { memoryLogger } from '../../../electron/host/log/logger';
import { socketsToPort } from '../../../electron/host/resources/proc';
import { eventually, snapshotResources } from '../../support/leaks';
import { tempDir } from '../../support/temp-dir';
import { BedrockTestServer } from '../../servers/bedrock/server';
import { bedrockFor, collect, isolateAwsEnvironment, MODEL, npcRequest, REGION, watchOutgoingConnections } from './rig';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

let server: BedrockTestServer;
const open: BedrockClientProvider[] = [];

beforeAll(async () => {
  server = await BedrockTestServer.start();
});
afterAll(() => server.close());
beforeEach(() => server.reset());
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.cleanup()));
});

async function provider(settings: Parameters<typeof bedrockFor>[1] = {}) {
  const rig = await bedrockFor(server, settings);
  open.push(rig.provider);
  return rig;
}

async function failure(work: Promise<unknown>): Promise<BedrockError> {
  const err = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BedrockError);
  return err as BedrockError;
}

function streamOnce(p: BedrockClientProvider) {
  return collect(new HostedProcessor(p, memoryLogger().logger).chat(npcRequest(), new AbortController().signal));
}

describe('BedrockClientProvider', () => {
  it('reports itself configured, and its last call with latency, over the real SDK client', async () => {
    const { provider: p } = await provider();
    expect(p.status).toEqual({ configured: true, region: REGION });
    await streamOnce(p);
    const health = await p.healthCheck();
    expect(health.status).toBe('healthy');
    expect(health.resources).toMatchObject({ configured: true, region: REGION, inFlight: 0, calls: 1, failures: 0 });
    expect(health.resources.lastCall).toMatchObject({ ok: true, operation: 'converse-stream', model: MODEL });
    expect(typeof (health.resources.lastCall as { latencyMs: number }).latencyMs).toBe('number');
    // The keep-alive socket is ours and shows both in the agent and in /proc.
    expect(health.resources.openSockets).toBe(1);
    expect(health.resources.socketsToEndpoint).toBe(1);
    expect(server.requests[0]).toMatchObject({ region: REGION, service: 'bedrock' });
  });

  it('retries throttling with the SDK standard retry, then succeeds', async () => {
    const { provider: p } = await provider({ maxAttempts: 3 });
    server.switches.throttleNext = 2;
    const { text } = await streamOnce(p);
    expect(text).toContain('Mara: you said');
    expect(server.requests.map((r) => r.outcome)).toEqual(['error-response', 'error-response', 'completed']);
  });

  it('gives a clear throttling error once the attempts are spent', async () => {
    const { provider: p } = await provider({ maxAttempts: 2 });
    server.switches.throttleNext = 5;
    const err = await failure(streamOnce(p));
    expect(err.code).toBe('throttled');
    expect(err.attempts).toBe(2);
    expect(err.message).toContain(`model "${MODEL}" in region ${REGION}`);
    expect(err.message).toContain('after 2 of 2 attempts');
    expect(server.requestCount).toBe(2);
    expect((await p.healthCheck()).status).toBe('degraded');
  });

  it('names the model and the region when access is denied, without retrying', async () => {
    const { provider: p, ring } = await provider({ maxAttempts: 3 });
    server.switches.accessDenied = [MODEL];
    const err = await failure(streamOnce(p));
    expect(err.code).toBe('access-denied');
    expect(err.message).toContain(`Access denied to Bedrock model "${MODEL}" in region ${REGION}`);
    expect(err.message).toContain("You don't have access to the model");
    expect(server.requestCount).toBe(1);
    expect(ring.messages().some((m) => m.includes('Access denied'))).toBe(true);
  });

  it('passes Bedrock validation errors on with the model named', async () => {
    const { provider: p } = await provider();
    const err = await failure(
      p.converse({ modelId: MODEL, messages: [{ role: 'assistant', content: [{ text: 'Greetings.' }] }] }, new AbortController().signal),
    );
    expect(err.code).toBe('validation');
    expect(err.message).toContain('A conversation must start with a user message');
    expect(err.message).toContain(MODEL);
  });

  it('times out a call that never answers, and the server sees the connection go', async () => {
    const { provider: p } = await provider({ requestTimeoutMs: 300 });
    server.switches.hang = true;
    const err = await failure(streamOnce(p));
    expect(err.code).toBe('timeout');
    expect(err.message).toContain('within 300 ms');
    expect(
      await eventually(
        () => server.requests[0]?.outcome,
        (o) => o === 'client-closed',
      ),
    ).toBe('client-closed');
  });

  it('times out a stream that goes silent mid-reply', async () => {
    const { provider: p } = await provider({ requestTimeoutMs: 300 });
    server.switches.tokenDelayMs = 2000;
    const err = await failure(streamOnce(p));
    expect(err.code).toBe('timeout');
    expect(err.message).toContain(`model "${MODEL}" in region ${REGION}`);
    expect(
      await eventually(
        () => server.requests[0]?.outcome,
        (o) => o === 'client-closed',
      ),
    ).toBe('client-closed');
  });

  it('aborts a hung call on cleanup and leaves zero sockets to the server port', async () => {
    await eventually(
      () => server.openConnections(),
      (n) => n === 0,
    );
    const before = snapshotResources();
    const { provider: p } = await provider();
    await streamOnce(p);
    server.switches.hang = true;
    const hung = streamOnce(p).catch((e: unknown) => e);
    await eventually(
      () => server.requestCount,
      (n) => n === 2,
    );
    expect(p.inFlightCount).toBe(1);
    expect(socketsToPort(server.port)).toBeGreaterThanOrEqual(1);
    const first = p.cleanup();
    expect(p.cleanup()).toBe(first);
    await first;
    expect(((await hung) as Error).name).toBe('AbortError');
    expect(p.openSockets()).toBe(0);
    expect(
      await eventually(
        () => socketsToPort(server.port),
        (n) => n === 0,
      ),
    ).toBe(0);
    expect(
      await eventually(
        () => server.openConnections(),
        (n) => n === 0,
      ),
    ).toBe(0);
    expect(
      await eventually(
        () => snapshotResources().sockets,
        (n) => n === before.sockets,
      ),
    ).toBe(before.sockets);
    const health = await p.healthCheck();
    expect(health.status).toBe('stopped');
    expect(health.resources).toMatchObject({ openSockets: 0, inFlight: 0 });
    const after = await failure(streamOnce(p));
    expect(after.code).toBe('closed');
  });

  it('rejects bad settings with the field named', () => {
    const { logger } = memoryLogger();
    expect(() => new BedrockClientProvider({ region: 'Virginia' }, logger)).toThrow('Bedrock settings: region: must look like "us-east-1"');
    expect(() => new BedrockClientProvider({ region: REGION, maxAttempts: 0 }, logger)).toThrow('Bedrock settings: maxAttempts');
  });
});

describe('BedrockClientProvider without credentials or region', () => {
  let folder: Awaited<ReturnType<typeof tempDir>>;
  let env: { restore: () => void };

  beforeEach(async () => {
    folder = await tempDir();
    env = isolateAwsEnvironment(folder.path);
  });
  afterEach(async () => {
    env.restore();
    await folder.remove();
  });

  it('says no credentials were found, and a call fails clearly without touching the network', async () => {
    const { logger, ring } = memoryLogger();
    const watch = watchOutgoingConnections();
    const p = new BedrockClientProvider({ region: REGION, endpoint: server.endpoint }, logger);
    open.push(p);
    try {
      await p.initialize();
      expect(p.status.configured).toBe(false);
      expect(p.status.reason).toContain('No AWS credentials found');
      const health = await p.healthCheck();
      expect(health.status).toBe('degraded');
      expect(health.lastError).toContain('No AWS credentials found');
      expect(health.hint).toContain('aws sso login');
      expect(ring.messages().some((m) => m.includes('not configured'))).toBe(true);

      const err = await failure(streamOnce(p));
      expect(err.code).toBe('missing-credentials');
      expect(err.message).toContain('Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
      expect(server.requestCount).toBe(0);
      expect(watch.sockets).toBe(0);
      expect(watch.attempts).toEqual([]);
    } finally {
      watch.stop();
    }
  });

  it('the connection watch does see real connections (control for the test above)', async () => {
    const watch = watchOutgoingConnections();
    try {
      const { provider: p } = await provider();
      await streamOnce(p);
      expect(watch.sockets).toBeGreaterThan(0);
      expect(watch.attempts.every((a) => a.address === '127.0.0.1' && a.port === server.port)).toBe(true);
      expect(watch.attempts.length).toBeGreaterThan(0);
    } finally {
      watch.stop();
    }
  });

  it('says no region when neither settings nor the environment give one', async () => {
    const p = new BedrockClientProvider({ credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }, memoryLogger().logger);
    open.push(p);
    await p.initialize();
    expect(p.status).toMatchObject({ configured: false, region: null });
    expect(p.status.reason).toContain('no region');
    const err = await failure(streamOnce(p));
    expect(err.code).toBe('not-configured');
    expect(err.message).toContain('No AWS region set for Bedrock');
  });
});
