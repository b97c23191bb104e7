/*
 * Issue F item 3: providers cycled 100 times leave nothing behind (fds, sockets, child processes, active
 * handles); 1,000 chat turns grow the heap by less than 5 MB after GC; after a full shutdown a host process
 * exits on its own within 1 s.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProviderRegistry } from '../../electron/host/lifecycle/provider-registry';
import { shutdownReportSchema } from '../../electron/host/lifecycle/shutdown-report';
import { memoryLogger } from '../../electron/host/log/logger';
import { descendantPids, pidAlive } from '../../electron/host/resources/proc';
import { BedrockTestServer } from '../servers/bedrock/server';
import { OllamaTestServer } from '../servers/ollama';
import { eventually, snapshotResources, type ResourceSnapshot } from '../support/leaks';
import { tempDir } from '../support/temp-dir';
import { RIGS } from './rigs';
import { ChildLines } from './support/child-lines';
import type { RigModule } from './rigs/rig';
import { writeFigures } from './support/figures';
import { diffResources, isBaseline, type ResourceDiff } from './support/resource-diff';

const CYCLES = 100;
const WARMUP_CYCLES = 3;
const TURNS = 1000;
const HEAP_LIMIT_MB = 5;
const EXIT_WITHIN_MS = 1000;

const leaks = new Map<string, ResourceDiff>();
const heap = new Map<string, number>();
let exitAfterReportMs: number | null = null;

afterAll(() => {
  const diffs = [...leaks.values()];
  const leakedFds = diffs.reduce((n, d) => n + Math.max(0, d.fds), 0);
  const leakedChildren = diffs.reduce((n, d) => n + d.newChildren.length, 0);
  const heapGrowth = heap.size ? Math.max(...heap.values()) : null;
  const measured = <T>(value: T) => (leaks.size ? String(value) : 'unmeasured');
  const line = `RELIABILITY leaked_fds ${measured(leakedFds)} leaked_children ${measured(leakedChildren)} heap_growth_mb ${heapGrowth === null ? 'unmeasured' : heapGrowth.toFixed(2)}`;
  writeFigures('leaks', line, {
    cycles: CYCLES,
    kindsCycled: [...leaks.keys()],
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

async function cycleOnce(rig: RigModule, root: string, registry: ProviderRegistry): Promise<void> {
  const instance = await rig.create(root);
  try {
    for (const companion of instance.companions) await registry.register(companion);
    await registry.register(instance.provider);
    await instance.use();
    const record = await registry.unregister(instance.provider.id);
    if (record?.outcome !== 'ok') throw new Error(`unregister of ${instance.provider.id}: ${record?.outcome} ${record?.error ?? ''}`);
    for (const companion of [...instance.companions].reverse()) await registry.unregister(companion.id);
  } finally {
    await instance.dispose();
  }
}

describe(`leak cycles: ${CYCLES} register → initialize → use → unregister cycles`, () => {
  it.each(RIGS)('$kind returns to the baseline', { timeout: 120_000 }, async (rig) => {
    const dir = await tempDir('npc-studio-leaks-');
    try {
      const registry = new ProviderRegistry({ logger: memoryLogger('warn').logger });
      const root = join(dir.path, rig.kind);
      // The first cycles load modules and start lazily made, process-wide things (timers of get-port, TLS contexts).
      for (let i = 0; i < WARMUP_CYCLES; i++) await cycleOnce(rig, root, registry);
      const baseline = await quietSnapshot();
      for (let i = 0; i < CYCLES; i++) await cycleOnce(rig, root, registry);
      const after = await eventually(snapshotResources, (s) => isBaseline(diffResources(baseline, s)), 3000, 50);
      const diff = diffResources(baseline, after);
      leaks.set(rig.kind, diff);
      expect(diff).toEqual({ fds: 0, sockets: 0, files: 0, newChildren: [], activeResources: {} });
      expect(registry.list()).toEqual([]);
    } finally {
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
      const child = runNode(['--expose-gc', '--import', 'tsx', join(__dirname, 'fixtures/heap-turns.ts'), dir.path, mode, url, String(TURNS), '10']);
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
        expect({ code: exit!.code, signal: exit!.signal }).toEqual({ code: 0, signal: null });
        expect(shutdown.code).toBe(0);
        expect(exitAfterReportMs, `active when the report was written: ${shutdown.activeResources.join(', ')}`).toBeLessThan(EXIT_WITHIN_MS);
        const report = shutdownReportSchema.parse(JSON.parse(await readFile(join(dir.path, 'shutdown-report.json'), 'utf8')));
        expect(report).toMatchObject({ reason: 'signal SIGTERM', exitCode: 0, totals: { providers: 10, ok: 10, failed: 0, timedOut: 0 } });
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
