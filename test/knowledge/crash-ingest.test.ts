import { join } from 'node:path';
import { ChromaClient } from 'chromadb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectionName } from '../../electron/host/knowledge/lore-manifest';
import { pidAlive } from '../../electron/host/resources/proc';
import { startKnowledge, type KnowledgeHarness } from '../support/chroma';
import { eventually } from '../support/leaks';
import { spawnTs, waitForExit, waitForLine } from '../support/spawn-ts';
import { tempDir } from '../support/temp-dir';
import { BIG_CHUNKS, BIG_TEXT } from './fixtures/ingest-host';

const HOST = join(__dirname, 'fixtures', 'ingest-host.ts');

let dir: { path: string; remove: () => Promise<void> };
let harness: KnowledgeHarness | null = null;

beforeEach(async () => {
  dir = await tempDir('npc-crash-ingest-');
});

afterEach(async () => {
  await harness?.close();
  harness = null;
  await dir.remove();
});

async function countBySource(h: KnowledgeHarness, source?: string): Promise<number> {
  const url = new URL(h.server.url());
  const col = await new ChromaClient({ host: url.hostname, port: Number(url.port) }).getCollection({ name: collectionName('keeper', 0) });
  return source ? (await col.get({ where: { source: { $eq: source } }, include: [] })).ids.length : col.count();
}

describe('crash safety of lore ingest', () => {
  it(
    'a host SIGKILLed mid 500-chunk ingest: acknowledged lore whole, ' + 'the interrupted source marked incomplete and re-ingestable',
    async () => {
      const host = spawnTs(HOST, [dir.path, 'outlive-parent']);
      const ready = await waitForLine<{ serverPid: number }>(host, 'READY ', 60_000);
      await waitForLine(host, 'ACKED ', 30_000);
      const progress = await waitForLine<{ done: number }>(host, 'PROGRESS ', 30_000);
      host.kill('SIGKILL');
      await waitForExit(host);
      expect(progress.done).toBeLessThan(BIG_CHUNKS);
      // Started without --pdeathsig, the server outlived its host; the next start must find and stop it.
      expect(pidAlive(ready.serverPid)).toBe(true);

      harness = await startKnowledge(dir.path);
      expect(pidAlive(ready.serverPid)).toBe(false);
      expect(harness.logs.ring.messages()).toContain('WARN stopping a Chroma server left running by an earlier run');
      expect(harness.store.listSources('keeper')).toMatchObject([
        { source: 'chronicle', state: 'incomplete', chunks: BIG_CHUNKS },
        { source: 'rules', state: 'complete', chunks: 20 },
      ]);
      expect(await countBySource(harness, 'rules')).toBe(20);
      const partial = await countBySource(harness, 'chronicle');
      expect(partial).toBeGreaterThanOrEqual(progress.done);
      expect(partial).toBeLessThanOrEqual(BIG_CHUNKS);
      expect((await harness.store.query('keeper', 'house rule 7 no swords at the table 7', 1))[0]!.id).toBe('rules::7');

      expect(await harness.store.ingestText('keeper', 'chronicle', BIG_TEXT)).toEqual({ source: 'chronicle', chunks: BIG_CHUNKS });
      expect(harness.store.listSources('keeper').map((s) => [s.source, s.state, s.chunks])).toEqual([
        ['chronicle', 'complete', BIG_CHUNKS],
        ['rules', 'complete', 20],
      ]);
      expect(await countBySource(harness)).toBe(BIG_CHUNKS + 20);
    },
  );

  it('by default the server dies with a SIGKILLed host', async () => {
    const host = spawnTs(HOST, [dir.path, 'die-with-parent']);
    const ready = await waitForLine<{ serverPid: number }>(host, 'READY ', 60_000);
    expect(pidAlive(ready.serverPid)).toBe(true);
    host.kill('SIGKILL');
    await waitForExit(host);
    expect(
      await eventually(
        () => pidAlive(ready.serverPid),
        (alive) => !alive,
        2000,
      ),
    ).toBe(false);
  });
});
