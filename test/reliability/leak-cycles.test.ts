/*
 * Issue F item 3: the studio (its real composition root, createStudio) started, used and shut down 100 times
 * leaves nothing behind (fds, sockets, child processes, active handles); 1,000 chat turns grow the heap by less
 * than 5 MB after GC; after a full shutdown a host process exits on its own within 1 s.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownReportSchema } from '../../shared/shutdown';
import { SETTINGS_FILE } from '../../electron/host/settings/settings-store';
import { createStudio } from '../../electron/host/studio';
import { descendantPids, openFilePaths, pidAlive } from '../../electron/host/resources/proc';
import { BedrockTestServer } from '../servers/bedrock/server';
import { OllamaTestServer } from '../../electron/host/demo/ollama';
import { eventually, snapshotResources, type ResourceSnapshot } from '../support/leaks';
import { reportOutcomes } from '../support/report-outcomes';
import { testChromaLaunch } from '../support/chroma';
import { tempDir } from '../support/temp-dir';
import { DUMMY_CREDENTIALS, REGION } from '../processors/hosted/rig';
import { ChildLines } from './support/child-lines';
import { writeFigures } from './support/figures';
import { diffResources, isBaseline, type ResourceDiff } from './support/resource-diff';

/** LEAK_CYCLES=5 for a short run while working on this file. */
const CYCLES = Number(process.env.LEAK_CYCLES ?? 100);
const WARMUP_CYCLES = 3;
const TURNS = 1000;
const HEAP_LIMIT_MB = 5;
const EXIT_WITHIN_MS = 1000;

const leaks = new Map<string, ResourceDiff>();
const heap = new Map<string, number>();
let exitAfterReportMs: number | null = null;
let cycledProviders: string[] = [];

afterAll(() => {
  const diffs = [...leaks.values()];
  const leakedFds = diffs.reduce((n, d) => n + Math.max(0, d.fds), 0);
  const leakedChildren = diffs.reduce((n, d) => n + d.newChildren.length, 0);
  const heapGrowth = heap.size ? Math.max(...heap.values()) : null;
  const measured = <T>(value: T) => (leaks.size ? String(value) : 'unmeasured');
  const line =
    `RELIABILITY leaked_fds ${measured(leakedFds)} leaked_children ${measured(leakedChildren)} ` +
    `heap_growth_mb ${heapGrowth === null ? 'unmeasured' : heapGrowth.toFixed(2)}`;
  writeFigures('leaks', line, {
    cycles: CYCLES,
    providersCycled: cycledProviders,
    kindsNotBackToBaseline: [...leaks.entries()].filter(([, d]) => !isBaseline(d)).map(([kind, d]) => ({ kind, ...d })),
    leakedFds,
    leakedChildren,
    heapGrowthMb: Object.fromEntries(heap),
    heapTurns: TURNS,
    exitAfterReportMs,
  });
});

/**
 * The quietest of several snapshots over `ms`: handles and fds of work that is still winding down (a socket's
 * close callback, the test runner's own RPC timers) come and go, and must not inflate the baseline.
 */
async function quietSnapshot(ms = 600, every = 30): Promise<ResourceSnapshot> {
  let quietest = snapshotResources();
  for (let waited = 0; waited < ms; waited += every) {
    await new Promise((r) => setTimeout(r, every));
    const s = snapshotResources();
    if (s.fds + s.activeResources.length < quietest.fds + quietest.activeResources.length) quietest = s;
  }
  return quietest;
}

interface Servers {
  ollama: OllamaTestServer;
  bedrock: BedrockTestServer;
}

/** One life of the studio, as a shell runs it: createStudio, start, use every provider once, shut down. */
async function studioCycle(dataDir: string, servers: Servers): Promise<string[]> {
  const studio = await createStudio({ mode: 'web', dataDir, chromaLaunch: testChromaLaunch(), requestQuit: () => undefined });
  let report: Awaited<ReturnType<typeof studio.coordinator.run>>;
  try {
    await studio.start();
    const npc = await studio.npcs.save({
      studio: { processor: 'local', model: 'llama3.2' },
      card: { name: 'Mira', first_mes: 'Well met.' },
    });
    const hosted = await studio.npcs.save({
      studio: { processor: 'hosted', model: 'anthropic.claude-3-haiku-20240307-v1:0' },
      card: { name: 'Odo', first_mes: 'Hm.' },
    });
    for (const id of [npc.id, hosted.id]) {
      const outcome = await (await studio.chat.send(id, 'Who lit your forge?')).finished;
      if (outcome.error || !outcome.text) throw new Error(`chat turn with ${id} failed: ${outcome.error ?? 'empty reply'}`);
    }
    await studio.knowledge.ingestText(npc.id, 'forge', '# Forge\n\nThe forge was lit in the year of ash.');
    if ((await studio.knowledge.query(npc.id, 'who lit the forge', 1)).length !== 1) throw new Error('the lore query found nothing');
  } finally {
    servers.bedrock.requests.splice(0);
    report = await studio.coordinator.run('leak cycle');
  }
  if (report.exitCode !== 0 || report.providers.some((p) => p.outcome !== 'ok')) {
    throw new Error(`the shutdown was not clean: ${reportOutcomes(report)}`);
  }
  return report.providers.map((p) => p.id);
}

/** settings.json pointing the studio at this test's servers, and dummy AWS credentials for the Bedrock test server. */
async function studioDataDir(dir: string, servers: Servers): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, SETTINGS_FILE),
    JSON.stringify({
      ollama: { url: servers.ollama.url },
      bedrock: { region: REGION, endpoint: servers.bedrock.endpoint },
      chroma: { mode: 'embedded' },
      timeouts: { providerCleanupMs: 2000, shutdownDeadlineMs: 10_000, drainMs: 1000 },
    }),
  );
  return dir;
}

describe(`leak cycles: the studio started, used and shut down ${CYCLES} times`, () => {
  it('returns to the baseline', { timeout: 600_000 }, async () => {
    const dir = await tempDir('npc-studio-leaks-');
    const ollama = new OllamaTestServer({ keepRequests: 1 });
    const bedrock = await BedrockTestServer.start();
    const env = { ...process.env };
    Object.assign(process.env, {
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey,
    });
    try {
      await ollama.start();
      const servers = { ollama, bedrock };
      const dataDir = await studioDataDir(join(dir.path, 'studio'), servers);
      // The first cycles load modules and start lazily made, process-wide things (timers of get-port, TLS contexts).
      for (let i = 0; i < WARMUP_CYCLES; i++) await studioCycle(dataDir, servers);
      const baseline = await quietSnapshot();
      let providers: string[] = [];
      for (let i = 0; i < CYCLES; i++) providers = await studioCycle(dataDir, servers);
      const after = await eventually(snapshotResources, (s) => isBaseline(diffResources(baseline, s)), 3000, 50);
      const diff = diffResources(baseline, after);
      leaks.set('studio', diff);
      cycledProviders = providers;
      const held = openFilePaths().filter((f) => f.startsWith(dir.path));
      expect(diff, `files still open under the data folder: ${held.join(', ') || 'none'}`).toEqual({
        fds: 0,
        sockets: 0,
        files: 0,
        newChildren: [],
        activeResources: {},
      });
    } finally {
      process.env = env;
      await ollama.stop();
      await bedrock.close();
      await dir.remove();
    }
  });
});

function runNode(args: string[]): ReturnType<typeof spawn> {
  return spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

describe(`heap: ${TURNS} chat turns`, () => {
  const modes = [
    { mode: 'processor:hosted', server: 'bedrock' },
    { mode: 'processor:local', server: 'ollama' },
    { mode: 'chat-service', server: 'ollama' },
  ] as const;

  it.each(modes)('$mode grows the heap by less than 5 MB after GC', { timeout: 180_000 }, async ({ mode, server }) => {
    const dir = await tempDir('npc-studio-heap-');
    const ollama = new OllamaTestServer({ keepRequests: 1 });
    const bedrock = await BedrockTestServer.start();
    try {
      await ollama.start();
      const url = server === 'bedrock' ? bedrock.endpoint : ollama.url;
      // Ten NPCs, each conversation closed after its 100 turns: an open conversation holds its messages by design.
      const child = runNode([
        '--expose-gc',
        '--import',
        'tsx',
        join(__dirname, 'fixtures/heap-turns.ts'),
        dir.path,
        mode,
        url,
        String(TURNS),
        '10',
      ]);
      // The Bedrock test server records every request; keep only the last ones so the parent stays small too.
      const trim = setInterval(() => bedrock.requests.splice(0, Math.max(0, bedrock.requests.length - 10)), 1000);
      try {
        const out = new ChildLines(child);
        const { value: result } = await out.waitFor<{ growthMb: number; turns: number }>('HEAP ', 170_000);
        const exit = await out.exited;
        expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
        expect(result.turns).toBe(TURNS);
        heap.set(mode, result.growthMb);
        expect(result.growthMb).toBeLessThan(HEAP_LIMIT_MB);
      } finally {
        clearInterval(trim);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    } finally {
      await ollama.stop();
      await bedrock.close();
      await dir.remove();
    }
  });
});

describe('after a full shutdown', () => {
  it(`a host process exits on its own within ${EXIT_WITHIN_MS} ms of its report, without process.exit`, { timeout: 60_000 }, async () => {
    const dir = await tempDir('npc-studio-quiet-exit-');
    const ollama = new OllamaTestServer();
    const bedrock = await BedrockTestServer.start();
    try {
      await ollama.start();
      const child = runNode(['--import', 'tsx', join(__dirname, 'fixtures/quiet-exit-host.ts'), dir.path, ollama.url, bedrock.endpoint]);
      const out = new ChildLines(child);
      try {
        const { value: ready } = await out.waitFor<{ pid: number; replies: number; loreHits: number; chromaPid: number }>('READY ', 30_000);
        expect(ready).toMatchObject({ replies: 2, loreHits: 1 });
        // What the host started (its Chroma server) must be gone after it exits.
        const started = descendantPids(ready.pid);
        expect(started).toContain(ready.chromaPid);
        child.kill('SIGTERM');
        const { value: shutdown, at: reportedAt } = await out.waitFor<{ code: number; activeResources: string[] }>('SHUTDOWN ', 10_000);
        const exit = await Promise.race([out.exited, new Promise<null>((r) => setTimeout(() => r(null), 5000))]);
        expect(exit, `still running 5 s after its report; active then: ${shutdown.activeResources.join(', ')}`).not.toBeNull();
        exitAfterReportMs = Math.round(exit!.at - reportedAt);
        const report = shutdownReportSchema.parse(JSON.parse(await readFile(join(dir.path, 'shutdown-report.json'), 'utf8')));
        const said = reportOutcomes(report);
        expect({ code: exit!.code, signal: exit!.signal }, said).toEqual({ code: 0, signal: null });
        expect(shutdown.code, said).toBe(0);
        expect(exitAfterReportMs, `active when the report was written: ${shutdown.activeResources.join(', ')}`).toBeLessThan(
          EXIT_WITHIN_MS,
        );
        expect(report, said).toMatchObject({
          reason: 'signal SIGTERM',
          exitCode: 0,
          totals: { providers: report.providers.length, ok: report.providers.length, failed: 0, timedOut: 0 },
        });
        expect(
          report.providers.map((p) => p.id),
          said,
        ).toContain('chroma-server');
        expect(started.filter(pidAlive)).toEqual([]);
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    } finally {
      await ollama.stop();
      await bedrock.close();
      await dir.remove();
    }
  });
});
