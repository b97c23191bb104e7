import { afterEach, describe, expect, it } from 'vitest';
import { hashedEmbedding, EMBEDDING_DIM, cosine, tokenize, replyText } from '../../../electron/host/demo/ollama';
import { socketsToPort } from '../../../electron/host/resources/proc';
import { eventually, snapshotResources } from '../../support/leaks';
import { ChatRequestError, LocalProcessorClosedError } from '../../../electron/host/processors/local/local-processor-errors';
import { collect, mirasRequest, replyOf, startRig, type Rig } from './fixtures';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('LocalProcessor chat through the real ollama client', () => {
  it('streams tokens in order, then one done event with the usage the model reported', async () => {
    rig = await startRig();
    const request = mirasRequest();
    const { events, error } = await collect(rig.processor.chat(request, new AbortController().signal));
    expect(error).toBeUndefined();
    const expected = replyText([{ role: 'system', content: request.system }, ...request.messages]);
    expect(events.slice(0, -1).map((e) => e.type === 'token' && e.text)).toEqual(tokenize(expected));
    expect(replyOf(events)).toContain('I am Mira Vell.');
    expect(replyOf(events)).toContain('"The forge was lit in the year of ash."');
    const done = events.at(-1)!;
    expect(done.type).toBe('done');
    if (done.type !== 'done') return;
    expect(done.model).toBe('llama3.2:latest');
    expect(done.stopReason).toBe('stop');
    expect(done.usage.replyTokens).toBe(tokenize(expected).length);
    expect(done.usage.promptTokens).toBe(tokenize(request.system).length + tokenize(request.messages[0]!.content).length);
    expect(done.usage.evalDurationMs).toBeGreaterThan(0);
    expect(done.usage.totalDurationMs).toBeGreaterThanOrEqual(done.usage.evalDurationMs!);
    expect(done.usage.latencyMs).toBeGreaterThanOrEqual(done.usage.totalDurationMs!);
  });

  it('sends the system prompt first and maps sampling to Ollama options and keep_alive', async () => {
    rig = await startRig();
    const request = mirasRequest({ sampling: { temperature: 0.3, topP: 0.9, numCtx: 8192, maxTokens: 4, keepAlive: '10m' } });
    const { events } = await collect(rig.processor.chat(request, new AbortController().signal));
    const sent = rig.server.requests.find((r) => r.path === '/api/chat')!.body as Record<string, unknown>;
    expect(sent).toMatchObject({
      model: 'llama3.2',
      stream: true,
      keep_alive: '10m',
      options: { temperature: 0.3, top_p: 0.9, num_ctx: 8192, num_predict: 4 },
    });
    expect((sent.messages as Array<{ role: string }>).map((m) => m.role)).toEqual(['system', 'user']);
    // num_predict reached the model: the reply is cut at 4 tokens and says why.
    expect(events.filter((e) => e.type === 'token')).toHaveLength(4);
    expect(events.at(-1)).toMatchObject({ type: 'done', stopReason: 'length', usage: { replyTokens: 4 } });
    const ps = await rig.client.ps();
    expect(ps.models[0]).toMatchObject({ name: 'llama3.2:latest', context_length: 8192 });
  });

  it('stop aborts the upstream request: the server sees the connection close within 100 ms, the chat ends with AbortError', async () => {
    rig = await startRig({ tokenDelayMs: 25, replyTokens: 400 });
    const stop = new AbortController();
    const closed = rig.server.connections.nextClose();
    const seen: string[] = [];
    let stoppedAt = 0;
    let caught: unknown;
    try {
      for await (const e of rig.processor.chat(mirasRequest(), stop.signal)) {
        if (e.type === 'token') seen.push(e.text);
        if (seen.length === 3) {
          stoppedAt = performance.now();
          stop.abort();
        }
      }
    } catch (err) {
      caught = err;
    }
    expect((caught as Error).name).toBe('AbortError');
    const info = await closed;
    expect(info.closedAt! - stoppedAt).toBeLessThan(100);
    expect(seen).toHaveLength(3);
    expect(rig.server.requests.at(-1)!.tokenSentAt.length).toBeLessThan(400);
    expect(rig.client.inFlightStreams).toBe(0);
  });

  it('stop while the model is still loading (before any byte) also closes the connection', async () => {
    rig = await startRig({ firstTokenDelayMs: 60_000 });
    const stop = new AbortController();
    const opened = new Promise((resolve) => rig!.server.connections.once('open', resolve));
    const closed = rig.server.connections.nextClose();
    const run = collect(rig.processor.chat(mirasRequest(), stop.signal));
    await opened;
    stop.abort();
    const [{ events, error }] = await Promise.all([run, closed]);
    expect(events).toEqual([]);
    expect((error as Error).name).toBe('AbortError');
  });

  it('an already aborted signal sends nothing', async () => {
    rig = await startRig();
    const { error } = await collect(rig.processor.chat(mirasRequest(), AbortSignal.abort()));
    expect((error as Error).name).toBe('AbortError');
    expect(rig.server.requests).toHaveLength(0);
  });

  it('rejects bad input with the field at fault and sends nothing', async () => {
    rig = await startRig();
    const { error } = await collect(
      rig.processor.chat(mirasRequest({ model: ' ', sampling: { temperature: 3 } }), new AbortController().signal),
    );
    expect(error).toBeInstanceOf(ChatRequestError);
    expect((error as ChatRequestError).issues.map((i) => i.path)).toEqual(['model', 'sampling.temperature']);
    expect((error as Error).message).toMatch(/^Invalid chat request: model: must not be empty; sampling\.temperature: .*2/);
    expect(rig.server.requests).toHaveLength(0);
  });

  it('close aborts a chat in flight, drops the client and is idempotent; later calls fail clearly', async () => {
    rig = await startRig({ tokenDelayMs: 20, replyTokens: 500 });
    const closed = rig.server.connections.nextClose();
    const run = collect(rig.processor.chat(mirasRequest(), new AbortController().signal));
    await new Promise((resolve) => rig!.server.connections.once('open', resolve));
    const first = rig.processor.cleanup();
    expect(rig.processor.cleanup()).toBe(first);
    await first;
    const { error } = await run;
    expect((error as Error).name).toBe('AbortError');
    await closed;
    expect((await rig.processor.healthCheck()).status).toBe('stopped');
    await expect(collect(rig.processor.chat(mirasRequest(), new AbortController().signal))).resolves.toMatchObject({
      error: expect.any(LocalProcessorClosedError),
    });
    await expect(rig.processor.embed(['x'])).rejects.toThrow(LocalProcessorClosedError);
  });

  it('after processor and client close no socket to the server port is left', async () => {
    rig = await startRig();
    await collect(rig.processor.chat(mirasRequest(), new AbortController().signal));
    await rig.processor.embed(['warm the pool']);
    expect(socketsToPort(rig.server.port)).toBeGreaterThan(0); // keep-alive
    await rig.processor.cleanup();
    await rig.client.cleanup();
    expect(socketsToPort(rig.server.port)).toBe(0);
    const health = await rig.client.healthCheck();
    expect(health).toMatchObject({ status: 'stopped', resources: { openSockets: 0, inFlight: 0 } });
  });
});

const count = (xs: string[], x: string) => xs.filter((y) => y === x).length;

describe('LocalProcessor resources', () => {
  it('a rig that chatted, stopped a chat, embedded and was closed leaves no fds, sockets or handles behind', async () => {
    const before = snapshotResources();
    const r = await startRig({ tokenDelayMs: 5, replyTokens: 40 });
    await collect(r.processor.chat(mirasRequest(), new AbortController().signal));
    const stop = new AbortController();
    for await (const e of r.processor.chat(mirasRequest(), stop.signal)) {
      if (e.type === 'token') break;
    }
    await r.processor.embed(['lore of the forge']);
    await r.client.healthCheck();
    await r.close();
    // Nothing new may remain (vitest's own timers may come and go, so "no more than before" per kind of handle).
    const extra = (s: ReturnType<typeof snapshotResources>) => ({
      fds: Math.max(0, s.fds - before.fds),
      sockets: Math.max(0, s.sockets - before.sockets),
      handles: [...new Set(s.activeResources)].filter((h) => count(s.activeResources, h) > count(before.activeResources, h)),
    });
    const after = await eventually(snapshotResources, (s) => extra(s).fds === 0 && extra(s).handles.length === 0);
    expect(extra(after)).toEqual({ fds: 0, sockets: 0, handles: [] });
  });
});

describe('LocalProcessor embed', () => {
  it('returns deterministic vectors of dimension 384, one per text, in order, across batches', async () => {
    rig = await startRig();
    const texts = Array.from({ length: 70 }, (_, i) => `the ember forge number ${i}`);
    const vectors = await rig.processor.embed(texts);
    expect(vectors).toHaveLength(70);
    expect(vectors.every((v) => v.length === EMBEDDING_DIM)).toBe(true);
    expect(vectors[42]).toEqual(hashedEmbedding(texts[42]!));
    expect(rig.server.requests.filter((r) => r.path === '/api/embed')).toHaveLength(2);
    expect(rig.processor.embedding.model).toBe('ollama:nomic-embed-text');
    const [forge, forge2, tide] = await rig.processor.embedding.embed([
      'the old forge of Emberfall',
      'Emberfall forge',
      'tides of the northern sea',
    ]);
    expect(cosine(forge!, forge2!)).toBeGreaterThan(cosine(forge!, tide!));
  });

  it('returns [] for no texts without a request', async () => {
    rig = await startRig();
    expect(await rig.processor.embed([])).toEqual([]);
    expect(rig.server.requests).toHaveLength(0);
  });
});
