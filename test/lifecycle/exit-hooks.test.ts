/*
 * The exit hooks' signal rule and launcher watch, with a stand-in for the process's events: copies of the
 * first signal (terminal + relays) are one request; a deliberate second one exits 1; a launcher that exits
 * starts the same shutdown and is never counted as a signal.
 */
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExecutionEngine } from '../../electron/host/engine/execution-engine';
import type { LaunchAncestor } from '../../electron/host/lifecycle/launch-chain';
import { FIRST_SIGNAL_NOTICE, installExitHooks, type ExitHooks } from '../../electron/host/lifecycle/process-exit-hooks';
import { ProviderRegistry } from '../../electron/host/lifecycle/provider-registry';
import { ShutdownCoordinator } from '../../electron/host/lifecycle/shutdown-coordinator';
import { ShutdownReportStore } from '../../electron/host/lifecycle/shutdown-report';
import { SAME_REQUEST_WINDOW_MS } from '../../electron/host/lifecycle/signal-rule';
import { memoryLogger } from '../../electron/host/log/logger';
import { ScriptedProvider, type CloseBehaviour } from '../support/scripted-provider';
import { tempDir } from '../support/temp-dir';

let dir: Awaited<ReturnType<typeof tempDir>>;
let hooks: ExitHooks | null = null;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  hooks?.uninstall();
  hooks = null;
  await dir.remove();
});

async function setup(close: CloseBehaviour, launcher?: { alive: () => boolean }) {
  const { logger } = memoryLogger();
  const registry = new ProviderRegistry({ logger, cleanupTimeoutMs: 10_000 });
  const coordinator = new ShutdownCoordinator({
    registry,
    intake: new ExecutionEngine({ logger }),
    logger,
    reports: new ShutdownReportStore(dir.path),
    flushLogs: async () => undefined,
    deadlineMs: 10_000,
    drainMs: 50,
  });
  await registry.register(new ScriptedProvider('slow', { close }));
  const events = new EventEmitter();
  const exits: number[] = [];
  const notices: string[] = [];
  const reasons: string[] = [];
  coordinator.events.on('progress', (p) => p.type === 'done' && reasons.push('done'));
  const chain: LaunchAncestor[] = [{ pid: 4242, kind: 'npm', startId: null }];
  hooks = installExitHooks({
    coordinator,
    logger,
    events,
    notify: (l) => notices.push(l),
    exit: (code) => exits.push(code),
    launchChain: launcher ? { chain, ppid: () => 4242, intervalMs: 10, probe: { read: () => null, alive: launcher.alive } } : false,
  });
  const exited = async (ms = 5000) => {
    const t0 = performance.now();
    while (exits.length === 0 && performance.now() - t0 < ms) await new Promise((r) => setTimeout(r, 5));
    return exits;
  };
  return { events, exits, notices, coordinator, exited, reports: new ShutdownReportStore(dir.path) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('exit hooks: the one signal rule', () => {
  it('the terminal SIGINT and the relayed copies (within tens of ms) are one request: one shutdown, exit 0', async () => {
    const s = await setup({ kind: 'resolve', afterMs: 200 });
    s.events.emit('SIGINT', 'SIGINT');
    await sleep(30);
    s.events.emit('SIGINT', 'SIGINT');
    await sleep(30);
    s.events.emit('SIGTERM', 'SIGTERM');
    expect(await s.exited()).toEqual([0]);
    expect(s.notices).toEqual([FIRST_SIGNAL_NOTICE]);
    expect(FIRST_SIGNAL_NOTICE).toBe('Shutting down… press Ctrl-C again to force');
  });

  it('a second Ctrl-C after the window forces exit 1 at once', async () => {
    const s = await setup({ kind: 'hang' });
    s.events.emit('SIGINT', 'SIGINT');
    await sleep(SAME_REQUEST_WINDOW_MS + 100);
    expect(s.exits).toEqual([]);
    s.events.emit('SIGINT', 'SIGINT');
    expect(s.exits).toEqual([1]);
  });
});

describe('exit hooks: the launcher exits', () => {
  it('runs the same shutdown, reason "launcher exited", and is not counted as a first signal', async () => {
    let alive = true;
    const s = await setup({ kind: 'resolve', afterMs: 900 }, { alive: () => alive });
    await sleep(40);
    expect(s.coordinator.isRunning).toBe(false);
    alive = false;
    await sleep(60);
    expect(s.coordinator.isRunning).toBe(true);
    expect(s.notices).toEqual(['NPC Studio: the launcher exited (npm, pid 4242); shutting down…']);
    // The terminal's Ctrl-C after that is the first signal: it joins, it does not force.
    s.events.emit('SIGINT', 'SIGINT');
    expect(s.exits).toEqual([]);
    expect(await s.exited()).toEqual([0]);
    expect(await s.reports.read()).toMatchObject({ report: { reason: 'launcher exited', exitCode: 0 } });
  });
});
