import { afterEach, describe, expect, it } from 'vitest';
import { OllamaClientProvider } from '../../../electron/host/processors/local/ollama-client-provider';
import { OllamaClosedError } from '../../../electron/host/processors/local/ollama-errors';
import { socketsToPort } from '../../../electron/host/resources/proc';
import { OllamaTestServer } from '../../../electron/host/demo/ollama';
import { eventually } from '../../support/leaks';

let server: OllamaTestServer | undefined;
let client: OllamaClientProvider | undefined;
afterEach(async () => {
  await client?.cleanup();
  await server?.stop();
  client = undefined;
  server = undefined;
});

async function start(): Promise<{ server: OllamaTestServer; client: OllamaClientProvider }> {
  server = new OllamaTestServer({ version: '0.12.6' });
  client = new OllamaClientProvider({ url: await server.start() });
  await client.initialize();
  return { server, client };
}

describe('OllamaClientProvider', () => {
  it('is a clients-phase provider that validates its URL', () => {
    const p = new OllamaClientProvider({ url: 'localhost:11434' });
    expect(p).toMatchObject({ id: 'ollama-client', phase: 'clients', url: 'http://localhost:11434', port: 11434 });
    expect(() => new OllamaClientProvider({ url: 'ftp://x' })).toThrow('invalid Ollama URL "ftp://x": only http and https are supported');
  });

  it('health reports reachability, version, latency, models available and loaded, sockets and streams', async () => {
    const { server, client } = await start();
    let health = await client.healthCheck();
    expect(health.status).toBe('healthy');
    expect(health.latencyMs).toBeGreaterThan(0);
    expect(health.resources).toMatchObject({
      reachable: true,
      version: '0.12.6',
      modelsAvailable: ['llama3.2:latest', 'nomic-embed-text:latest'],
      modelsLoaded: [],
      inFlight: 0,
      url: server.url,
    });
    // The health check's own keep-alive connections are counted, both by undici and in /proc.
    expect(health.resources.openSockets).toBe(socketsToPort(server.port));
    expect(health.resources.openSockets).toBeGreaterThan(0);

    server.set({ tokenDelayMs: 50, replyTokens: 100 });
    const stream = await client.chatStream({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }], keep_alive: '1h' });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    health = await client.healthCheck();
    expect(health.resources).toMatchObject({ inFlight: 1, modelsLoaded: ['llama3.2:latest'] });
    await iterator.return!();
    expect(client.inFlightStreams).toBe(0);
  });

  it('abandoning a stream early closes its connection instead of leaving it half-read', async () => {
    const { server, client } = await start();
    server.set({ tokenDelayMs: 20, replyTokens: 1000 });
    const closed = server.connections.nextClose();
    for await (const part of await client.chatStream({ model: 'llama3.2', messages: [] })) {
      expect(part.message.content).toBe('I');
      break;
    }
    await closed;
    expect(client.inFlightStreams).toBe(0);
  });

  it('a stream never iterated still releases when return() is called', async () => {
    const { server, client } = await start();
    server.set({ tokenDelayMs: 20, replyTokens: 1000 });
    const closed = server.connections.nextClose();
    const stream = await client.chatStream({ model: 'llama3.2', messages: [] });
    expect(client.inFlightStreams).toBe(1);
    await stream[Symbol.asyncIterator]().return!();
    await closed;
    expect(client.inFlightStreams).toBe(0);
  });

  it('close aborts every stream, leaves zero sockets, is idempotent, and health says stopped', async () => {
    const { server, client } = await start();
    server.set({ tokenDelayMs: 20, replyTokens: 1000 });
    const streams = await Promise.all([1, 2, 3].map(() => client.chatStream({ model: 'llama3.2', messages: [] })));
    const reading = streams.map(async (s) => {
      try {
        for await (const _ of s) void _;
        return 'finished';
      } catch (err) {
        return (err as Error).name;
      }
    });
    expect(client.inFlightStreams).toBe(3);
    expect(socketsToPort(server.port)).toBe(3);
    const first = client.cleanup();
    expect(client.cleanup()).toBe(first);
    await first;
    expect(await Promise.all(reading)).toEqual(['AbortError', 'AbortError', 'AbortError']);
    expect(socketsToPort(server.port)).toBe(0);
    expect(
      await eventually(
        () => server.connections.openCount,
        (n) => n === 0,
      ),
    ).toBe(0);
    const health = await client.healthCheck();
    expect(health).toMatchObject({ status: 'stopped', resources: { openSockets: 0, inFlight: 0, reachable: false } });
    await expect(client.version()).rejects.toBeInstanceOf(OllamaClosedError);
    // Pooling-friendly: initialize() after cleanup() opens a fresh agent.
    await client.initialize();
    expect(await client.version()).toBe('0.12.6');
  });

  it('health on a hung server is unhealthy with a timeout, not a hang', async () => {
    server = new OllamaTestServer({ switches: { hang: true } });
    client = new OllamaClientProvider({ url: await server.start(), timeouts: { healthMs: 200 } });
    await client.initialize();
    const health = await client.healthCheck();
    expect(health).toMatchObject({ status: 'unhealthy', resources: { reachable: false } });
    expect(health.lastError).toBe(`Ollama at ${server.url} timed out: it never answered the health check within 200 ms.`);
  });

  it('health is degraded when Ollama answers its version but fails the model list', async () => {
    const { server, client } = await start();
    server.set({ failNext: { status: 500, count: 1, message: 'disk full', path: '/api/tags' } });
    const health = await client.healthCheck();
    expect(health).toMatchObject({ status: 'degraded', resources: { reachable: true, version: '0.12.6' } });
    expect(health.lastError).toBe(`Ollama at ${server.url} answered HTTP 500: disk full`);
    expect((await client.healthCheck()).status).toBe('healthy');
  });
});
