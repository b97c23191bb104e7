import { afterEach, describe, expect, it } from 'vitest';
import type { ModelPullEvent } from '../../../shared/models';
import { ModelManager } from '../../../electron/host/processors/local/model-manager';
import { OllamaClientProvider } from '../../../electron/host/processors/local/ollama-client-provider';
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

async function start(switches: { pullSteps?: number; pullStepDelayMs?: number } = {}) {
  server = new OllamaTestServer({ switches });
  client = new OllamaClientProvider({ url: await server.start() });
  await client.initialize();
  const events: ModelPullEvent[] = [];
  const models = new ModelManager({ client, publish: (e) => events.push(e), progressEveryMs: 0 });
  return { server, client, models, events };
}

describe('ModelManager over the real ollama client', () => {
  it('pulls a model with growing progress to 100 %, then lists, shows and deletes it', async () => {
    const { models, events } = await start({ pullSteps: 8, pullStepDelayMs: 5 });
    const { finished } = models.pull('qwen2.5:0.5b');
    const end = await finished;
    expect(end).toMatchObject({ state: 'done', model: 'qwen2.5:0.5b', completedBytes: 397_821_319, totalBytes: 397_821_319 });
    const completed = events.filter((e) => e.totalBytes > 0 && e.state === 'pulling').map((e) => e.completedBytes);
    expect(completed.length).toBeGreaterThanOrEqual(8);
    expect(completed).toEqual([...completed].sort((a, b) => a - b));
    expect(events.map((e) => e.status)).toContain('verifying sha256 digest');

    expect((await models.list()).available.map((m) => m.name)).toContain('qwen2.5:0.5b');
    expect(await models.show('qwen2.5:0.5b')).toEqual({
      name: 'qwen2.5:0.5b',
      family: 'qwen2',
      parameterSize: '494.03M',
      quantization: 'Q4_K_M',
      contextLength: 32768,
      capabilities: ['completion', 'tools'],
    });
    await models.delete('qwen2.5:0.5b');
    expect((await models.list()).available.map((m) => m.name)).not.toContain('qwen2.5:0.5b');
    await expect(models.delete('qwen2.5:0.5b')).rejects.toThrow(/is not installed in Ollama/);
  });

  it('cancel closes the stream midway and the server sees the close', async () => {
    const { server, models, events } = await start({ pullSteps: 200, pullStepDelayMs: 20 });
    const { pullId, finished } = models.pull('phi3:mini');
    await eventually(
      () => events.filter((e) => e.completedBytes > 0).length,
      (n) => n >= 2,
      5000,
    );
    expect(models.cancel(pullId)).toBe(true);
    expect(await finished).toMatchObject({ state: 'cancelled' });
    const pull = await eventually(
      () => server.pulls.at(-1),
      (p) => p !== undefined,
      3000,
    );
    expect(pull).toMatchObject({ model: 'phi3:mini', outcome: 'cancelled' });
    expect(pull!.completed).toBeLessThan(pull!.total);
    expect((await models.list()).available.map((m) => m.name)).not.toContain('phi3:mini');
    expect(models.cancel(pullId)).toBe(false);
    expect(models.activePulls).toBe(0);
  });

  it("a model the registry does not have fails with Ollama's words", async () => {
    const { models } = await start();
    const end = await models.pull('no-such-model:1b').finished;
    expect(end.state).toBe('failed');
    expect(end.error).toMatch(/file does not exist/);
  });

  it('lists loaded models with their VRAM share and expiry, and caches the context length', async () => {
    const { client, models } = await start();
    await client.embed({ model: 'nomic-embed-text', input: 'hello', keep_alive: '10m' });
    const { loaded } = await models.list();
    expect(loaded).toHaveLength(1);
    expect(loaded[0]).toMatchObject({ name: 'nomic-embed-text:latest', sizeBytes: 274_302_450, vramBytes: 274_302_450 });
    const expiresIn = Date.parse(loaded[0]!.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(9 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(10 * 60_000);
    expect(models.contextLengthOf('llama3.2')).toBeUndefined();
    expect(await models.contextLength('llama3.2')).toBe(131072);
    expect(models.contextLengthOf('llama3.2:latest')).toBe(131072);
    expect(await models.contextLength('absent-model')).toBeUndefined();
  });
});
