import { readFile, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExecutionEngine } from '../../electron/host/engine/execution-engine';
import { memoryLogger } from '../../electron/host/log/logger';
import { ProviderRegistry } from '../../electron/host/lifecycle/provider-registry';
import { ShutdownCoordinator, type CoordinatorProgress } from '../../electron/host/lifecycle/shutdown-coordinator';
import { ShutdownReportStore } from '../../electron/host/lifecycle/shutdown-report';
import { ScriptedProvider, Trace } from '../support/scripted-provider';
import { tempDir } from '../support/temp-dir';

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => dir.remove());

function setup(opts: { cleanupTimeoutMs?: number; deadlineMs?: number; drainMs?: number } = {}) {
  const { logger, ring } = memoryLogger();
  const registry = new ProviderRegistry({ logger, cleanupTimeoutMs: opts.cleanupTimeoutMs ?? 500 });
  const engine = new ExecutionEngine({ logger, abortGraceMs: 100 });
  const reports = new ShutdownReportStore(dir.path);
  let flushed = 0;
  const coordinator = new ShutdownCoordinator({
    registry,
    intake: engine,
    logger,
    reports,
    deadlineMs: opts.deadlineMs ?? 5000,
    drainMs: opts.drainMs ?? 200,
    flushLogs: async () => void flushed++,
  });
  const progress: CoordinatorProgress[] = [];
  coordinator.events.on('progress', (p) => progress.push(p));
  return { registry, engine, reports, coordinator, progress, ring, flushed: () => flushed };
}

describe('ShutdownCoordinator', () => {
  it('runs the eight steps in order and exits 0 when all is well', async () => {
    const s = setup();
    const trace = new Trace();
    for (const [id, phase] of [
      ['chroma', 'resources'],
      ['local', 'processors'],
      ['npcs', 'stores'],
      ['ollama', 'clients'],
    ] as const) {
      await s.registry.register(new ScriptedProvider(id, { phase, trace }));
    }
    const report = await s.coordinator.run('quit button');
    expect(report).toMatchObject({ reason: 'quit button', exitCode: 0, totals: { providers: 4, ok: 4, failed: 0, timedOut: 0 } });
    const steps = s.progress.filter((p) => p.type === 'step').map((p) => p.step);
    expect(steps).toEqual(['stop-accepting', 'drain', 'processors', 'clients', 'stores', 'resources', 'report', 'exit']);
    expect(s.progress.filter((p) => p.type === 'provider').map((p) => p.record.id)).toEqual(['local', 'ollama', 'npcs', 'chroma']);
    expect(s.progress.at(-1)).toMatchObject({ type: 'done', exitCode: 0 });
    expect(s.flushed()).toBe(1);
  });

  it('every caller gets the same run; providers close once', async () => {
    const s = setup();
    const p = await s.registry.register(new ScriptedProvider('a', { close: { kind: 'resolve', afterMs: 20 } }));
    const [r1, r2, r3] = await Promise.all([s.coordinator.run('signal SIGTERM'), s.coordinator.run('quit'), s.coordinator.run('again')]);
    expect(r1).toBe(r2);
    expect(r2).toBe(r3);
    expect(r1.reason).toBe('signal SIGTERM');
    expect(p.calls.cleanup).toBe(1);
  });

  it('a hung provider is timed out, the others close, exit code 1', async () => {
    const s = setup({ cleanupTimeoutMs: 150 });
    const a = await s.registry.register(new ScriptedProvider('a', { phase: 'clients' }));
    await s.registry.register(new ScriptedProvider('stuck', { phase: 'clients', close: { kind: 'hang' } }));
    const c = await s.registry.register(new ScriptedProvider('c', { phase: 'resources' }));
    const report = await s.coordinator.run('quit');
    expect(report.exitCode).toBe(1);
    expect(report.providers.find((p) => p.id === 'stuck')).toMatchObject({ outcome: 'timed-out', method: 'cleanup' });
    expect(a.open || c.open).toBe(false);
    expect(report.totals).toMatchObject({ ok: 2, timedOut: 1 });
  });

  it('the global deadline bounds the whole run', async () => {
    const s = setup({ cleanupTimeoutMs: 10_000, deadlineMs: 300 });
    await s.registry.register(new ScriptedProvider('stuck', { phase: 'processors', close: { kind: 'hang' } }));
    const later = await s.registry.register(new ScriptedProvider('later', { phase: 'resources' }));
    const report = await s.coordinator.run('quit');
    expect(report.deadlineExceeded).toBe(true);
    expect(report.exitCode).toBe(1);
    expect(report.providers.find((p) => p.id === 'stuck')?.outcome).toBe('timed-out');
    // Past the deadline the rest is recorded as timed out rather than waited for.
    expect(report.providers.find((p) => p.id === 'later')?.outcome).toBe('timed-out');
    expect(later.calls.cleanup).toBeLessThanOrEqual(1);
  });

  it('drains, then aborts in-flight work before closing providers', async () => {
    const s = setup({ drainMs: 50 });
    const trace = new Trace();
    await s.registry.register(new ScriptedProvider('local', { phase: 'processors', trace }));
    const chat = s.engine.run(
      'chat',
      (signal) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => {
            trace.add('chat aborted');
            reject(signal.reason);
          }),
        ),
    );
    chat.catch(() => undefined);
    const report = await s.coordinator.run('quit');
    expect(report.drain).toMatchObject({ aborted: 1, completed: 0, abandoned: 0 });
    expect(trace.indexOf('chat aborted')).toBeLessThan(trace.indexOf('begin local'));
    await expect(s.engine.run('late', async () => 1)).rejects.toMatchObject({ code: 'ShuttingDown' });
  });

  it('writes the report atomically and reads it back at the next start', async () => {
    const s = setup();
    await s.registry.register(new ScriptedProvider('bedrock', { close: { kind: 'throw', message: 'Connection error' } }));
    const report = await s.coordinator.run('quit');
    const again = new ShutdownReportStore(dir.path);
    expect(await again.read()).toEqual({ report });
    expect(report.providers[0]).toMatchObject({
      id: 'bedrock',
      kind: 'scripted',
      step: 'clients',
      method: 'cleanup',
      outcome: 'failed',
      error: 'Connection error',
    });
    expect(JSON.parse(await readFile(again.file, 'utf8')).exitCode).toBe(1);
  });

  it('a garbage report file is described and kept', async () => {
    const store = new ShutdownReportStore(dir.path);
    await writeFile(store.file, '{"version": 1, "reason": 42');
    const last = await store.read();
    expect(last).toMatchObject({ problem: expect.stringContaining('not valid JSON') });
    expect(await readFile(store.file, 'utf8')).toBe('{"version": 1, "reason": 42');
  });

  it('a forced failure (uncaught exception) exits 1 even when every close succeeded', async () => {
    const s = setup();
    await s.registry.register(new ScriptedProvider('a'));
    expect((await s.coordinator.run('uncaughtException', { failed: true })).exitCode).toBe(1);
  });
});
