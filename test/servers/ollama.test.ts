import { Ollama } from 'ollama';
import { afterEach, describe, expect, it } from 'vitest';
import {
  EMBEDDING_DIM,
  OllamaTestServer,
  cosine,
  hashedEmbedding,
  loreFrom,
  loreLine,
  npcNameFrom,
  replyText,
  tokenize,
} from '../../electron/host/demo/ollama';

let server: OllamaTestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function start(options: ConstructorParameters<typeof OllamaTestServer>[0] = {}) {
  server = new OllamaTestServer(options);
  const url = await server.start();
  return { server, url, ollama: new Ollama({ host: url }) };
}

const system = `You are Mira Vell, the blacksmith.\n${loreLine('The forge was lit in the year of ash.')}`;

describe('reply conventions', () => {
  it('reads the NPC name from "Name:" first, then "You are <Name>"', () => {
    expect(npcNameFrom('Name: Old Tom\nYou are Mira Vell.')).toBe('Old Tom');
    expect(npcNameFrom('Speak plainly. You are Mira Vell, a smith.')).toBe('Mira Vell');
    expect(npcNameFrom('no name here')).toBe('the model');
  });

  it('reads lore from "Lore:" lines and from lore sections, in order', () => {
    const prompt = [
      'You are Mira.',
      'Lore: one',
      '',
      '## World lore',
      '- two',
      '* three',
      '',
      'not lore',
      '[Lore]',
      'four',
      '# Rules',
      'not lore either',
      'Lore:',
      'five',
    ].join('\n');
    expect(loreFrom(prompt)).toEqual(['one', 'two', 'three', 'four', 'five']);
  });

  it('builds the reply from name, lore and the last user message', () => {
    const text = replyText([
      { role: 'system', content: system },
      { role: 'user', content: 'Who lit the forge?' },
    ]);
    expect(text).toBe('I am Mira Vell. As the lore says, "The forge was lit in the year of ash.". You said: "Who lit the forge?".');
    expect(tokenize('I am  Mira.')).toEqual(['I', ' am', '  Mira.']);
  });
});

describe('hashed embeddings', () => {
  it('are deterministic unit vectors of dimension 384 where shared words mean nearness', () => {
    const a = hashedEmbedding('The forge of Emberfall');
    expect(a).toHaveLength(EMBEDDING_DIM);
    expect(hashedEmbedding('The forge of Emberfall')).toEqual(a);
    expect(Math.hypot(...a)).toBeCloseTo(1, 12);
    expect(cosine(a, hashedEmbedding('Emberfall forge'))).toBeGreaterThan(0.5);
    expect(Math.abs(cosine(a, hashedEmbedding('northern sea tides')))).toBeLessThan(0.3);
    expect(Math.hypot(...hashedEmbedding(''))).toBeCloseTo(1, 12);
  });
});

describe('OllamaTestServer through the real ollama client', () => {
  it('serves version, tags, ps and show as Ollama does', async () => {
    const { ollama } = await start({ version: '0.9.0' });
    expect(await ollama.version()).toEqual({ version: '0.9.0' });
    const tags = await ollama.list();
    expect(tags.models.map((m) => m.name)).toEqual(['llama3.2:latest', 'nomic-embed-text:latest']);
    expect(tags.models[0]!.details.family).toBe('llama');
    expect(await ollama.ps()).toEqual({ models: [] });
    const show = await ollama.show({ model: 'nomic-embed-text' });
    expect(show.capabilities).toEqual(['embedding']);
    await expect(ollama.show({ model: 'nope' })).rejects.toMatchObject({ name: 'ResponseError', status_code: 404 });
  });

  it('answers chat non-streaming with the whole reply and the counts', async () => {
    const { ollama } = await start();
    const messages = [
      { role: 'system', content: system },
      { role: 'user', content: 'Hello' },
    ];
    const reply = await ollama.chat({ model: 'llama3.2', messages });
    expect(reply.message).toEqual({ role: 'assistant', content: replyText(messages) });
    expect(reply).toMatchObject({
      done: true,
      done_reason: 'stop',
      eval_count: tokenize(replyText(messages)).length,
      prompt_eval_count: tokenize(system).length + 1,
    });
  });

  it('streams chat as NDJSON, one token a line, then a final line with durations in ns', async () => {
    const { ollama } = await start({ switches: { firstTokenDelayMs: 120, tokenDelayMs: 10 } });
    const parts = [];
    for await (const part of await ollama.chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'Hi' }], stream: true }))
      parts.push(part);
    const final = parts.at(-1)!;
    expect(parts.slice(0, -1).every((p) => !p.done && p.message.role === 'assistant')).toBe(true);
    expect(
      parts
        .slice(0, -1)
        .map((p) => p.message.content)
        .join(''),
    ).toBe('I am the model. You said: "Hi".');
    expect(final).toMatchObject({ done: true, done_reason: 'stop', message: { content: '' }, eval_count: parts.length - 1 });
    // The server's own measurements: at least the delays it was told to wait, less the up to 1 ms a Node timer may
    // fire early against hrtime (libuv schedules from its cached loop time).
    expect(final.load_duration).toBeGreaterThanOrEqual(119e6);
    expect(final.eval_duration).toBeGreaterThanOrEqual((parts.length - 2) * 9e6);
    expect(final.total_duration).toBeGreaterThanOrEqual(final.load_duration + final.eval_duration);
  });

  it('sizes replies by the replyTokens switch, capped by num_predict', async () => {
    const { server, ollama } = await start({ switches: { replyTokens: 2000 } });
    const long = await ollama.chat({ model: 'llama3.2', messages: [] });
    expect(long.eval_count).toBe(2000);
    expect(tokenize(long.message.content)).toHaveLength(2000);
    server.set({ replyTokens: null });
    const cut = await ollama.chat({ model: 'llama3.2', messages: [], options: { num_predict: 2 } });
    expect(cut).toMatchObject({ done_reason: 'length', eval_count: 2, message: { content: 'I am' } });
  });

  it('serves generate, streaming and not', async () => {
    const { ollama } = await start();
    const whole = await ollama.generate({ model: 'llama3.2', system: 'Name: Bryn', prompt: 'Well met' });
    expect(whole).toMatchObject({ response: 'I am Bryn. You said: "Well met".', done: true });
    expect(whole.context).toHaveLength(tokenize(whole.response ?? '').length);
    let text = '';
    for await (const part of await ollama.generate({ model: 'llama3.2', system: 'Name: Bryn', prompt: 'Well met', stream: true }))
      text += part.response;
    expect(text).toBe(whole.response);
  });

  it('embeds deterministically with /api/embed', async () => {
    const { ollama } = await start();
    const res = await ollama.embed({ model: 'nomic-embed-text', input: ['the forge', 'the sea'] });
    expect(res.embeddings).toEqual([hashedEmbedding('the forge'), hashedEmbedding('the sea')]);
    expect(res).toMatchObject({ model: 'nomic-embed-text:latest', prompt_eval_count: 4 });
    const small = await ollama.embed({ model: 'nomic-embed-text', input: 'the forge', dimensions: 64 });
    expect(small.embeddings[0]).toHaveLength(64);
    await expect(ollama.embed({ model: 'nomic-embed-text', input: 5 as unknown as string })).rejects.toMatchObject({
      status_code: 400,
      error: 'input must be a string or an array of strings',
    });
  });

  it('tracks keep_alive and num_ctx in /api/ps', async () => {
    const { ollama } = await start();
    await ollama.chat({ model: 'llama3.2', messages: [], keep_alive: '1h', options: { num_ctx: 2048 } });
    expect((await ollama.ps()).models).toMatchObject([{ name: 'llama3.2:latest', context_length: 2048 }]);
    await ollama.chat({ model: 'llama3.2', messages: [], keep_alive: 0 });
    expect((await ollama.ps()).models).toEqual([]);
  });

  it("gives Ollama's real error bodies", async () => {
    const { server, url, ollama } = await start();
    const res = await fetch(`${url}/api/chat`, { method: 'POST', body: JSON.stringify({ model: 'mistral', messages: [] }) });
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('{"error":"model \\"mistral\\" not found, try pulling it first"}');
    await expect(ollama.chat({ model: 'nomic-embed-text', messages: [] })).rejects.toMatchObject({
      status_code: 400,
      error: '"nomic-embed-text" does not support chat',
    });
    server.set({ modelNotFound: true });
    await expect(ollama.embed({ model: 'nomic-embed-text', input: 'x' })).rejects.toMatchObject({
      status_code: 404,
      error: 'model "nomic-embed-text" not found, try pulling it first',
    });
  });

  it('fails exactly the next N requests with the given status', async () => {
    const { server, ollama } = await start({ switches: { failNext: { status: 503, count: 2 } } });
    await expect(ollama.version()).rejects.toMatchObject({ status_code: 503, error: 'Service Unavailable' });
    await expect(ollama.list()).rejects.toMatchObject({ status_code: 503 });
    expect(server.switches.failNext).toBeNull();
    await expect(ollama.version()).resolves.toBeDefined();
  });

  it('is controlled over HTTP at /__control', async () => {
    const { server, url } = await start();
    const set = await fetch(`${url}/__control`, { method: 'POST', body: JSON.stringify({ tokenDelayMs: 5, replyTokens: 50 }) });
    expect(await set.json()).toMatchObject({ switches: { tokenDelayMs: 5, replyTokens: 50 } });
    expect(server.switches.replyTokens).toBe(50);
    const bad = await fetch(`${url}/__control`, { method: 'POST', body: JSON.stringify({ tokenDelayMs: -1, bogus: 1 }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^bad switches: .*tokenDelayMs/);
    const state = (await (await fetch(`${url}/__control`)).json()) as { switches: unknown; openConnections: number };
    expect(state.openConnections).toBeGreaterThan(0);
    await fetch(`${url}/__control/reset`, { method: 'POST' });
    expect(server.switches.replyTokens).toBeNull();
    expect(() => server.set({ hang: 'yes' as unknown as boolean })).toThrow();
  });

  it('records connections and reports when the client closes one', async () => {
    const { server, ollama } = await start({ switches: { tokenDelayMs: 20, replyTokens: 500 } });
    const opened = new Promise((resolve) => server.connections.once('open', resolve));
    const closed = server.connections.nextClose();
    const stream = await ollama.chat({ model: 'llama3.2', messages: [], stream: true });
    await opened;
    expect(server.connections.openCount).toBe(1);
    const read = async () => {
      for await (const _ of stream) {
        void _;
        stream.abort();
      }
    };
    await expect(read()).rejects.toMatchObject({ name: 'AbortError' });
    const info = await closed;
    expect(info.closedAt).toBeGreaterThan(info.openedAt);
    expect(info.requests).toBe(1);
    // The connection that closed is the one that carried the chat (Node's global fetch may open a spare one).
    expect(info.id).toBe(server.requests.at(-1)!.connectionId);
    expect(server.requests.at(-1)!.tokenSentAt.length).toBeLessThan(500);
  });

  it('resets the connection mid-stream after N tokens', async () => {
    const { ollama } = await start({ switches: { resetAfterTokens: 2 } });
    const got: string[] = [];
    const run = async () => {
      for await (const part of await ollama.chat({ model: 'llama3.2', messages: [], stream: true })) got.push(part.message.content);
    };
    await expect(run()).rejects.toThrow();
    expect(got).toEqual(['I', ' am']);
  });

  it('hangs when told to, and stop() still ends everything (idempotently)', async () => {
    const { server, url } = await start({ switches: { hang: true } });
    const pending = fetch(`${url}/api/version`).then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((resolve) => server.connections.once('open', resolve));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.requests.at(-1)?.path).toBe('/api/version');
    const stopping = server.stop();
    expect(server.stop()).toBe(stopping);
    await stopping;
    expect(await pending).toBe('failed');
    expect(server.connections.openCount).toBe(0);
  });
});
