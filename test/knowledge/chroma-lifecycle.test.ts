import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChromaServer } from '../../electron/host/knowledge/chroma-server';
import { ExternalChromaServer } from '../../electron/host/knowledge/external-chroma-server';
import { KnowledgeStore } from '../../electron/host/knowledge/knowledge-store';
import { memoryLogger } from '../../electron/host/log/logger';
import { descendantPids, isListening, pidAlive, socketsToPort } from '../../electron/host/resources/proc';
import { HashedWordEmbedding, startKnowledge, testChromaLaunch, type KnowledgeHarness } from '../support/chroma';
import { eventually, snapshotResources } from '../support/leaks';
import { tempDir } from '../support/temp-dir';

const LORE = '# Ravens\n\nThe ravens of the keep carry messages to the king.\n\n# Wells\n\nThe old well is dry since the drought.';

let dir: { path: string; remove: () => Promise<void> };
const open: KnowledgeHarness[] = [];

beforeEach(async () => {
  dir = await tempDir('npc-chroma-life-');
});

afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
  await dir.remove();
});

async function start(options: Parameters<typeof startKnowledge>[1] = {}): Promise<KnowledgeHarness> {
  const h = await startKnowledge(dir.path, options);
  open.push(h);
  return h;
}

describe('embedded Chroma server and knowledge store lifecycle', () => {
  it('after close: no socket of ours to the Chroma port, no child process, the port is free; close is idempotent', async () => {
    const before = snapshotResources();
    const h = await startKnowledge(dir.path);
    const pid = h.server.pid!;
    expect(descendantPids()).toContain(pid);
    await h.store.ingestText('npc-1', 'ravens', LORE);
    await Promise.all([h.store.query('npc-1', 'ravens', 1), h.store.query('npc-1', 'well', 1)]);
    expect(socketsToPort(h.port)).toBeGreaterThan(0);
    const health = await h.server.healthCheck();
    expect(health).toMatchObject({ status: 'healthy', resources: { pid, restarts: 0 } });
    expect(health.resources.rssBytes).toBeGreaterThan(10_000_000);
    expect(health.latencyMs).toBeGreaterThan(0);

    await h.store.cleanup();
    expect(
      await eventually(
        () => socketsToPort(h.port),
        (n) => n === 0,
      ),
    ).toBe(0);
    await h.server.cleanup();
    await Promise.all([h.store.cleanup(), h.server.cleanup(), h.store.close()]);
    expect(pidAlive(pid)).toBe(false);
    expect(descendantPids()).toEqual(before.children);
    expect(isListening(h.port)).toBe(false);
    expect((await h.server.healthCheck()).status).toBe('stopped');
    expect((await h.store.healthCheck()).status).toBe('stopped');
    await expect(h.store.query('npc-1', 'ravens', 1)).rejects.toThrow(/closed/);
    // SIGINT is what this Chroma build honours (it ignores SIGTERM): it exits well within the grace.
    expect(h.logs.ring.messages()).toContain('INFO Chroma server stopped by SIGINT');
  });

  it('lore survives a restart of the studio host', async () => {
    const first = await startKnowledge(dir.path);
    await first.store.ingestText('npc-1', 'ravens', LORE);
    const hitsBefore = await first.store.query('npc-1', 'messages to the king', 2);
    await first.close();

    const second = await start();
    expect(second.store.listSources('npc-1')).toMatchObject([{ source: 'ravens', chunks: 2, state: 'complete' }]);
    expect(await second.store.query('npc-1', 'messages to the king', 2)).toEqual(hitsBefore);
  });

  it('a server killed from outside is reported unhealthy within 2 s, restarted, and queries work again', async () => {
    const h = await start({ server: { restart: { initialDelayMs: 600 } } });
    await h.store.ingestText('npc-1', 'ravens', LORE);
    const pid = h.server.pid!;
    process.kill(pid, 'SIGKILL');
    const sick = await eventually(
      () => h.server.healthCheck(),
      (x) => x.status === 'unhealthy',
      2000,
    );
    expect(sick.status).toBe('unhealthy');
    // Whichever the host sees first: the child's exit, or the heartbeat refused on its port (the exit is in the log below).
    expect(sick.lastError).toMatch(/exited|heartbeat failed: connect ECONNREFUSED/);
    await expect(h.store.query('npc-1', 'ravens', 1)).rejects.toThrow(
      /no answer from the Chroma server at http:\/\/127\.0\.0\.1:\d+ \(it may be restarting\)/,
    );

    const healed = await eventually(
      () => h.server.healthCheck(),
      (x) => x.status === 'healthy',
      15_000,
      50,
    );
    expect(healed.status).toBe('healthy');
    expect(healed.resources.restarts).toBe(1);
    expect(healed.resources.pid).not.toBe(pid);
    expect(pidAlive(pid)).toBe(false);
    expect((await h.store.query('npc-1', 'ravens carry messages', 1))[0]!.source).toBe('ravens');
    const log = h.logs.ring.messages();
    expect(log).toContain(`WARN the Chroma server (pid ${pid}) exited unexpectedly (signal SIGKILL); restarting`);
    expect(log).toContain('INFO Chroma server restarted');
  });

  it('a server that stops answering (SIGSTOP) is killed by the watchdog and restarted', async () => {
    const h = await start({ server: { monitorIntervalMs: 200, hungAfterFailures: 2, restart: { initialDelayMs: 100 } } });
    await h.store.ingestText('npc-1', 'ravens', LORE);
    const pid = h.server.pid!;
    process.kill(pid, 'SIGSTOP');
    const healed = await eventually(
      () => h.server.healthCheck(),
      (x) => x.status === 'healthy' && x.resources.pid !== pid,
      15_000,
      100,
    );
    expect(healed.resources.restarts).toBe(1);
    expect(
      await eventually(
        () => pidAlive(pid),
        (alive) => !alive,
      ),
    ).toBe(false);
    expect(h.logs.ring.messages()).toContain('WARN the Chroma server stopped answering; killing it to restart');
    expect((await h.store.query('npc-1', 'old well drought', 1))[0]!.heading).toBe('Wells');
  });

  it('without the loader the start fails with the glibc hint and leaves no child', async (ctx) => {
    const noLoaderNeeded = testChromaLaunch().prefix!.length === 0;
    ctx.skip(noLoaderNeeded, 'the system glibc is new enough for Chroma, so a start without the loader cannot fail here');
    const before = descendantPids();
    const { logger } = memoryLogger();
    const server = new ChromaServer({ dataDir: join(dir.path, 'c'), logger, launch: { prefix: [] }, startTimeoutMs: 10_000 });
    await expect(server.initialize()).rejects.toThrow(/GLIBC_2\.\d+.*prepare-chroma-loader\.sh/s);
    expect((await server.healthCheck()).status).toBe('unhealthy');
    await server.cleanup();
    expect(descendantPids()).toEqual(before);
  });

  it('external mode talks to a server it did not start and never stops it', async () => {
    const owner = await start();
    const { logger } = memoryLogger();
    const external = new ExternalChromaServer(owner.server.url(), logger);
    await external.initialize();
    const store = new KnowledgeStore({
      endpoint: external,
      embedder: new HashedWordEmbedding(),
      dataDir: join(dir.path, 'external-knowledge'),
      npcExists: () => true,
      logger,
    });
    await store.initialize();
    await store.ingestText('npc-2', 'wells', LORE);
    expect((await store.query('npc-2', 'dry well drought', 1))[0]!.heading).toBe('Wells');
    expect(await external.healthCheck()).toMatchObject({ status: 'healthy', resources: { external: true } });
    await store.cleanup();
    await external.cleanup();
    expect(pidAlive(owner.server.pid!)).toBe(true);
    expect(isListening(owner.port)).toBe(true);
    expect((await owner.server.healthCheck()).status).toBe('healthy');
    expect(() => external.url()).toThrow(/closed/);
  });
});
