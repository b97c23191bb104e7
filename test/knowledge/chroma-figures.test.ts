import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startKnowledge, type KnowledgeHarness } from '../support/chroma';
import { eventually } from '../support/leaks';
import { tempDir } from '../support/temp-dir';

const LORE = '# Ravens\n\nThe ravens of the keep carry messages to the king.\n\n# Wells\n\nThe old well is dry since the drought.';

let dir: { path: string; remove: () => Promise<void> };
let h: KnowledgeHarness | null = null;

beforeEach(async () => {
  dir = await tempDir('npc-chroma-figures-');
});

afterEach(async () => {
  await h?.close();
  h = null;
  await dir.remove();
});

describe('Chroma figures for the Resources panel', () => {
  it('collections with chunks, embedding model and dimension per NPC; size on disk', async () => {
    h = await startKnowledge(dir.path);
    await h.store.ingestText('npc-1', 'ravens', LORE);
    const store = await h.store.healthCheck();
    expect(store.resources.collections).toEqual([
      {
        npcId: 'npc-1',
        collection: expect.stringContaining('npc-1'),
        chunks: 2,
        model: h.store.embeddingModel,
        dimension: expect.any(Number),
      },
    ]);
    const withSize = await eventually(
      () => h!.server.healthCheck(),
      (x) => typeof x.resources.diskBytes === 'number' && x.resources.diskBytes > 0,
      5000,
    );
    expect(withSize.resources.diskBytes).toBeGreaterThan(10_000);
    expect(withSize.resources.lastRestart).toBeNull();
  });

  it('the last restart says when and why', async () => {
    h = await startKnowledge(dir.path, { server: { restart: { initialDelayMs: 200 } } });
    const pid = h.server.pid!;
    process.kill(pid, 'SIGKILL');
    const healed = await eventually(
      () => h!.server.healthCheck(),
      (x) => x.status === 'healthy' && x.resources.restarts === 1,
      15_000,
      50,
    );
    const restart = healed.resources.lastRestart as { at: string; reason: string };
    expect(restart.reason).toBe(`the Chroma server (pid ${pid}) exited unexpectedly (signal SIGKILL)`);
    expect(Date.now() - Date.parse(restart.at)).toBeLessThan(15_000);
  });
});
