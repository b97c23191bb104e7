/*
 * Issue F item 1: for each provider kind × each fault, a real ShutdownCoordinator closes the faulty provider
 * beside every other kind's real provider (on real servers, files and sockets). Shutdown must finish within the
 * global deadline + 0.5 s with the right exit code, every other provider must be fully closed as the OS sees it,
 * and the written report must name the fault.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import type { ShutdownProviderRecord } from '../../shared/shutdown';
import { eventually } from '../support/leaks';
import { reportOutcomes } from '../support/report-outcomes';
import { tempDir } from '../support/temp-dir';
import { RIGS } from './rigs';
import { nothingHeld, type MidStream, type RigModule } from './rigs/rig';
import { FAULTS, type Fault } from './support/faults';
import { writeFigures } from './support/figures';
import { buildWorld } from './support/shutdown-world';

// Generous on purpose: on a loaded machine a real close (a Chroma child's exit, an fsync) can take well over 1 s,
// and a provider that merely runs slow must not be reported as timed out. The hang cells wait out the timeout.
const DEADLINE_MS = 8000;
const CLEANUP_TIMEOUT_MS = 2000;
/** Over the deadline, the run may also take as long as this process's event loop was held up while it ran. */
const SLACK_MS = 500;

/** What the report must say about the faulty provider, and the exit code, when every provider behaves as it should. */
const EXPECTED: Record<Fault, { exitCode: 0 | 1; entry: Partial<ShutdownProviderRecord>; error?: RegExp; closes: boolean }> = {
  'throws-after-close': {
    exitCode: 1,
    entry: { outcome: 'failed', method: 'cleanup' },
    error: /injected fault: .* threw after closing/,
    closes: true,
  },
  'throws-before-close': {
    exitCode: 1,
    entry: { outcome: 'failed', method: 'cleanup' },
    error: /injected fault: .* threw before closing/,
    closes: false,
  },
  hangs: {
    exitCode: 1,
    entry: { outcome: 'timed-out', method: 'cleanup' },
    error: new RegExp(`cleanup of .* timed out after ${CLEANUP_TIMEOUT_MS} ms`),
    closes: false,
  },
  'closed-twice': { exitCode: 0, entry: { outcome: 'ok', method: 'cleanup' }, closes: true },
  'no-close-method': { exitCode: 0, entry: { outcome: 'no-method', method: 'none' }, closes: false },
  'server-gone': { exitCode: 0, entry: { outcome: 'ok', method: 'cleanup' }, closes: true },
  'server-gone-mid-stream': { exitCode: 0, entry: { outcome: 'ok', method: 'cleanup' }, closes: true },
};

function applies(rig: RigModule, fault: Fault): boolean {
  if (fault === 'server-gone') return rig.capabilities.server;
  if (fault === 'server-gone-mid-stream') return rig.capabilities.stream;
  return true;
}

const cells = RIGS.flatMap((rig) => FAULTS.filter((fault) => applies(rig, fault)).map((fault) => ({ kind: rig.kind, fault, rig })));
const passed: string[] = [];
const ran: string[] = [];

afterAll(() => {
  const total = cells.length;
  writeFigures('faults', `RELIABILITY faults ${passed.length}/${total}`, {
    passed: passed.length,
    ran: ran.length,
    total,
    failedCells: cells.map((c) => `${c.kind} × ${c.fault}`).filter((name) => !passed.includes(name)),
    kinds: RIGS.map((r) => r.kind),
    deadlineMs: DEADLINE_MS,
  });
});

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

describe('fault matrix: one faulty provider among the real ones', () => {
  it.each(cells)('$kind × $fault', async ({ kind, fault, rig }) => {
    const name = `${kind} × ${fault}`;
    ran.push(name);
    const dir = await tempDir('npc-studio-faults-');
    const world = await buildWorld(dir.path, RIGS, rig, fault, { deadlineMs: DEADLINE_MS, cleanupTimeoutMs: CLEANUP_TIMEOUT_MS });
    try {
      for (const instance of world.instances) await instance.use();

      let cut: MidStream | null = null;
      if (fault === 'server-gone') {
        expect(world.target.killServer, `${kind} says it has a server but its rig offers no killServer()`).toBeTypeOf('function');
        await world.target.killServer!();
      } else if (fault === 'server-gone-mid-stream') {
        expect(world.target.midStream, `${kind} says it has a stream but its rig offers no midStream()`).toBeTypeOf('function');
        cut = await world.target.midStream!();
        expect(cut.tokensBefore).toBeGreaterThan(0);
      }

      const lag = monitorEventLoopDelay({ resolution: 10 });
      lag.enable();
      const started = performance.now();
      const report = await world.coordinator.run(`fault matrix: ${name}`);
      const tookMs = performance.now() - started;
      lag.disable();
      const expected = EXPECTED[fault];
      const id = world.faulty.provider.id;
      const said = `${reportOutcomes(report)}; drain ${JSON.stringify(report.drain)}`;

      const lagMs = lag.max / 1e6;
      expect(tookMs, `${Math.round(tookMs)} ms with an event-loop delay of up to ${Math.round(lagMs)} ms; ${said}`).toBeLessThanOrEqual(
        DEADLINE_MS + SLACK_MS + lagMs,
      );
      expect(report.exitCode, said).toBe(expected.exitCode);
      expect(report.totals.providers, said).toBe(world.others.length + 1);
      const entry = report.providers.find((p) => p.id === id);
      expect(entry, `the entry for ${id}; ${said}`).toMatchObject({ kind: world.faulty.provider.kind, ...expected.entry });
      if (expected.error) expect(entry?.error).toMatch(expected.error);
      else expect(entry?.error).toBeUndefined();
      // What was written to disk says the same as what run() returned.
      expect(await world.reports.read()).toEqual({ report });
      for (const other of report.providers.filter((p) => p.id !== id))
        expect(other, `${other.id} did not close cleanly; ${said}`).toMatchObject({ outcome: 'ok' });
      if (expected.error) expect(world.logs.ring.messages().some((m) => m.startsWith('WARN') && m.includes(`provider ${id}:`))).toBe(true);

      // Every other provider is fully closed: its own health says so and the OS agrees.
      for (const { provider } of world.others)
        expect((await provider.healthCheck?.())?.status ?? 'stopped', `${provider.id} health`).toBe('stopped');
      for (const instance of world.instances.filter((i) => i !== world.target)) {
        expect(await eventually(() => instance.held(), nothingHeld, 1000), `${instance.provider.id} still holds resources`).toEqual({
          sockets: 0,
          files: [],
          pids: [],
        });
      }
      if (expected.closes) {
        expect((await world.target.provider.healthCheck?.())?.status ?? 'stopped').toBe('stopped');
        expect(await eventually(() => world.target.held(), nothingHeld, 1000), `${id} itself still holds resources`).toEqual({
          sockets: 0,
          files: [],
          pids: [],
        });
      }
      if (fault === 'closed-twice') expect(world.faulty.realCloses).toEqual({ calls: 3, threw: 0 });
      if (cut) {
        // The cut stream ends with an error rather than hanging or pretending it finished.
        const ended = await within(cut.ended, DEADLINE_MS, `the ${kind} stream cut by its server`);
        expect(ended).toBeInstanceOf(Error);
      }
      passed.push(name);
    } finally {
      await world.dispose();
      await dir.remove();
    }
  });
});
