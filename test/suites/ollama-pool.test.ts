/* The pool of Ollama endpoints in settings: the single ollama.url still works; each further URL gets its own client,
 * processor, concurrency and health card. */
import { describe, expect, it } from 'vitest';
import { settingsSchema } from '../../shared/settings';
import { DEFAULT_SETTINGS } from '../../electron/host/settings/settings-store';
import { OllamaTestServer } from '../../electron/host/demo/ollama';
import { memoryLogger } from '../../electron/host/log/logger';
import { LocalProcessor } from '../../electron/host/processors/local/local-processor';
import { OllamaClientProvider } from '../../electron/host/processors/local/ollama-client-provider';
import { ollamaPool } from '../../electron/host/suites/pool-endpoints';
import type { Provider } from '../../electron/host/lifecycle/provider';

describe('ollama pool settings', () => {
  it("keeps a settings file with only ollama.url valid, and defaults an endpoint's concurrency to 1", () => {
    expect(settingsSchema.parse(DEFAULT_SETTINGS).ollama).toEqual({ url: 'http://127.0.0.1:11434' });
    const pooled = settingsSchema.parse({
      ...DEFAULT_SETTINGS,
      ollama: { url: 'http://a:11434', concurrency: 2, endpoints: [{ url: 'http://gpu-1:11434' }] },
    });
    expect(pooled.ollama.endpoints).toEqual([{ url: 'http://gpu-1:11434', concurrency: 1 }]);
  });

  it('refuses a URL listed twice and a concurrency out of range, naming the field', () => {
    const twice = settingsSchema.safeParse({
      ...DEFAULT_SETTINGS,
      ollama: { url: 'http://a:11434', endpoints: [{ url: 'http://a:11434/' }] },
    });
    expect(twice.error?.issues[0]).toMatchObject({
      path: ['ollama', 'endpoints', 0, 'url'],
      message: expect.stringMatching(/already in the pool/),
    });
    const zero = settingsSchema.safeParse({
      ...DEFAULT_SETTINGS,
      ollama: { url: 'http://a:11434', endpoints: [{ url: 'http://b:1', concurrency: 0 }] },
    });
    expect(zero.error?.issues[0]?.path).toEqual(['ollama', 'endpoints', 0, 'concurrency']);
  });

  it('gives each further URL a client and processor of its own, each with a health card', async () => {
    const logger = memoryLogger('warn').logger;
    const up = new OllamaTestServer();
    const down = new OllamaTestServer();
    await up.start();
    await down.start();
    const downUrl = down.url;
    await down.stop();
    const client = new OllamaClientProvider({ url: up.url, logger });
    const main = { client, processor: new LocalProcessor({ client, logger }) };
    const pool = ollamaPool(
      {
        url: up.url,
        concurrency: 3,
        endpoints: [
          { url: up.url.replace('127.0.0.1', 'localhost'), concurrency: 2 },
          { url: downUrl, concurrency: 1 },
        ],
      },
      main,
      logger,
    );
    expect(pool.providers.map((p) => p.id)).toEqual(['ollama-pool-1', 'local-processor-pool-1', 'ollama-pool-2', 'local-processor-pool-2']);
    expect(pool.endpoints.map((e) => [e.label, e.concurrency])).toEqual([
      [`ollama ${up.url}`, 3],
      [`ollama ${up.url.replace('127.0.0.1', 'localhost')}`, 2],
      [`ollama ${downUrl}`, 1],
    ]);
    const providers: Provider[] = [client, ...pool.providers];
    for (const p of providers) await p.initialize?.();
    const clients = providers.filter((p) => p.kind === 'ollama-client');
    const health = await Promise.all(clients.map((p) => p.healthCheck!()));
    expect(health.map((h) => h.status)).toEqual(['healthy', 'healthy', 'unhealthy']);
    expect(await pool.endpoints[1]!.models()).toContain('llama3.2:latest');
    await expect(pool.endpoints[2]!.models()).rejects.toThrow();
    for (const p of [...providers].reverse()) await (p.cleanup ?? p.shutdown)?.call(p);
    await up.stop();
  });
});
