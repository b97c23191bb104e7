import { describe, expect, it } from 'vitest';
import { OllamaTestServer } from '../../electron/host/demo/ollama';
import { startStudio } from '../support/studio-rig';
import { useTempDirAndOllama } from '../support/studio-fixtures';

const fixtures = useTempDirAndOllama();

describe("the Resources panel's figures, wired in the studio", () => {
  it('process tree, derived and recovered health, history, models, diagnostics and the Ollama URL in use', async () => {
    const { studio, call } = await startStudio(fixtures.dir.path, { ollamaUrl: fixtures.ollama.url, demo: true });
    try {
      // In demo, settings.json may name another Ollama: app.info tells the one in use.
      expect((await call('app.info', {})).ollamaUrl).toBe(fixtures.ollama.url);

      const health = await call('providers.health', {});
      const host = health.find((p) => p.id === 'studio-host')!;
      const chroma = health.find((p) => p.id === 'chroma-server')!;
      const tree = host.resources.processes!;
      expect(tree[0]).toMatchObject({ pid: process.pid, parentPid: null, name: 'studio host' });
      expect(tree.find((p) => p.pid === chroma.resources.pid)).toMatchObject({
        name: 'Chroma server',
        listeningPorts: [chroma.resources.port],
      });
      expect(host.resources.panelsListening).toBe(0); // nobody subscribed to the pushes in this test
      expect(host.sources).toMatchObject({ rssBytes: 'node', cpuPercent: 'node', openSockets: 'node', openFds: 'proc' });
      expect(chroma.sources).toMatchObject({ cpuPercent: 'proc' });

      const port = fixtures.ollama.port;
      await fixtures.ollama.stop();
      const down = await call('providers.health', {});
      expect(down.find((p) => p.id === 'local-processor')).toMatchObject({ status: 'degraded', dependsOnDown: 'ollama-client' });
      fixtures.ollama = new OllamaTestServer({ port });
      await fixtures.ollama.start();
      const back = await call('providers.health', {});
      const client = back.find((p) => p.id === 'ollama-client')!;
      expect(client.status).toBe('healthy');
      expect(client.lastError).toBeUndefined();
      expect(client.recovered?.error).toMatch(/^Ollama at http:\/\/127\.0\.0\.1:\d+ /);
      expect(back.find((p) => p.id === 'local-processor')).toMatchObject({
        status: 'healthy',
        recovered: { error: expect.stringMatching(/needs ollama-client/) },
      });

      const history = await call('providers.history', {});
      expect(history['studio-host']!.length).toBeGreaterThanOrEqual(3);
      expect(history['ollama-client']!.map((s) => s.latencyMs === null)).toContain(true);

      expect((await call('models.list', {})).available.map((m) => m.name)).toContain('llama3.2:latest');
      const zip = await call('app.diagnostics', {});
      expect(zip.fileName).toMatch(/^npc-studio-diagnostics-.*\.zip$/);
      expect(Buffer.from(zip.base64, 'base64').subarray(0, 2).toString()).toBe('PK');
    } finally {
      await studio.coordinator.run('test over');
    }
  });
});
