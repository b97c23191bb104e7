/*
 * The Electron quit path (electron/host/lifecycle/electron-quit.ts + the exit hooks) against a model of
 * Electron's documented quit sequence (test/support/fake-electron-app.ts): every way out runs the one
 * shutdown under the force-exit timer, keeps its reason, holds before-quit/will-quit/the window until the
 * report is written, and ends with app.exit(code), which emits no quit events.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExecutionEngine } from '../../electron/host/engine/execution-engine';
import { ElectronQuitPath } from '../../electron/host/lifecycle/electron-quit';
import { installExitHooks, type ExitHooks } from '../../electron/host/lifecycle/process-exit-hooks';
import { ProviderRegistry } from '../../electron/host/lifecycle/provider-registry';
import { ShutdownCoordinator } from '../../electron/host/lifecycle/shutdown-coordinator';
import { ShutdownReportStore } from '../../electron/host/lifecycle/shutdown-report';
import { shutdownReportSchema } from '../../shared/shutdown';
import { memoryLogger } from '../../electron/host/log/logger';
import { FakeElectronApp, type Ending } from '../support/fake-electron-app';
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

interface Options {
  close?: CloseBehaviour;
  deadlineMs?: number;
  forceExitGraceMs?: number;
  flushLogs?: () => Promise<void>;
}

async function electronStudio(options: Options = {}) {
  const { logger } = memoryLogger();
  const registry = new ProviderRegistry({ logger, cleanupTimeoutMs: 5000 });
  const engine = new ExecutionEngine({ logger, abortGraceMs: 50 });
  const coordinator = new ShutdownCoordinator({
    registry,
    intake: engine,
    logger,
    reports: new ShutdownReportStore(dir.path),
    flushLogs: options.flushLogs ?? (async () => undefined),
    deadlineMs: options.deadlineMs ?? 3000,
    drainMs: 50,
  });
  const provider = await registry.register(
    new ScriptedProvider('chroma', { phase: 'resources', close: options.close ?? { kind: 'resolve', afterMs: 150 } }),
  );
  const app = new FakeElectronApp();
  const quitPath = new ElectronQuitPath({ app, settleMs: 20 });
  const notices: string[] = [];
  hooks = installExitHooks({
    coordinator,
    logger,
    exit: quitPath.exit,
    events: app.processEvents,
    launchChain: false,
    notify: (line) => notices.push(line),
    forceExitGraceMs: options.forceExitGraceMs ?? 1000,
  });
  quitPath.attach(hooks);
  const window = app.createWindow();
  window.on('close', quitPath.onWindowClose);
  return { app, window, quitPath, provider, notices, coordinator };
}

async function ended(app: FakeElectronApp, ms = 5000): Promise<{ ending: Ending; atMs: number }> {
  const t0 = performance.now();
  while (!app.ending) {
    if (performance.now() - t0 > ms) throw new Error(`the app did not end within ${ms} ms; events: ${app.log.join(', ')}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return { ending: app.ending, atMs: performance.now() - t0 };
}

async function report() {
  return shutdownReportSchema.parse(JSON.parse(await readFile(join(dir.path, 'shutdown-report.json'), 'utf8')));
}

const QUIT_EVENTS = ['before-quit', 'will-quit', 'quit'];

describe('Electron quit path', () => {
  it('the Quit button: the shutdown runs with its reason, then app.exit(0), which emits no quit events', async () => {
    const { app, quitPath, provider } = await electronStudio();
    quitPath.request('quit button');
    expect((await ended(app)).ending).toEqual({ how: 'exit', code: 0 });
    expect(await report()).toMatchObject({ reason: 'quit button', exitCode: 0 });
    expect(provider.calls.cleanup).toBe(1);
    expect(app.log.filter((e) => QUIT_EVENTS.includes(e))).toEqual([]);
  });

  it('Cmd-Q (app.quit): before-quit is held, the window stays until the report is written, reason app-quit', async () => {
    const { app, coordinator } = await electronStudio();
    app.quit();
    expect(app.ending).toBeNull();
    await new Promise((r) => setTimeout(r, 60));
    expect(coordinator.isRunning).toBe(true);
    expect(app.windows.size).toBe(1);
    expect((await ended(app)).ending).toEqual({ how: 'exit', code: 0 });
    expect(await report()).toMatchObject({ reason: 'app-quit', exitCode: 0 });
    expect(app.log).toEqual(['before-quit']);
  });

  it('app.quit again while shutting down (a second Cmd-Q) is held too: the app does not end before the shutdown', async () => {
    const { app } = await electronStudio({ close: { kind: 'resolve', afterMs: 300 } });
    app.quit();
    await new Promise((r) => setTimeout(r, 80));
    app.quit();
    app.quit();
    expect(app.ending).toBeNull();
    expect((await ended(app)).ending).toEqual({ how: 'exit', code: 0 });
    expect(app.log).toEqual(['before-quit', 'before-quit', 'before-quit']);
  });

  it('will-quit is held when something let before-quit through', async () => {
    const { app } = await electronStudio();
    // Another before-quit listener cannot undo a preventDefault; emitting will-quit directly is what is left.
    const willQuit = {
      defaultPrevented: false,
      preventDefault() {
        this.defaultPrevented = true;
      },
    };
    app.emit('will-quit', willQuit);
    expect(willQuit.defaultPrevented).toBe(true);
    expect((await ended(app)).ending).toEqual({ how: 'exit', code: 0 });
    expect(await report()).toMatchObject({ reason: 'app-quit' });
  });

  it('closing the window: it stays (showing the quit overlay) until the shutdown is over, reason window-closed', async () => {
    const { app, window } = await electronStudio();
    app.userClosesWindow(window);
    expect(window.destroyed).toBe(false);
    expect((await ended(app)).ending).toEqual({ how: 'exit', code: 0 });
    expect(window.destroyed).toBe(true);
    expect(await report()).toMatchObject({ reason: 'window-closed', exitCode: 0 });
    expect(app.log.filter((e) => QUIT_EVENTS.includes(e))).toEqual([]);
  });

  for (const order of ['electron-first', 'node-first'] as const) {
    it(`SIGINT (${order}): Electron's own app.quit() and the studio's listener are one request, reason "signal SIGINT"`, async () => {
      const { app, notices } = await electronStudio();
      app.signal('SIGINT', order);
      expect((await ended(app)).ending).toEqual({ how: 'exit', code: 0 });
      expect(await report()).toMatchObject({ reason: 'signal SIGINT', exitCode: 0 });
      expect(notices).toEqual(['Shutting down… press Ctrl-C again to force']);
    });
  }

  it("Electron's CLI wrapper relays the terminal's SIGINT: the copy joins the one shutdown, exit 0", async () => {
    const { app } = await electronStudio();
    app.signal('SIGINT', 'node-first');
    await new Promise((r) => setTimeout(r, 30));
    // The studio's listener replaced Electron's native handler (libuv installs its own sigaction).
    app.signal('SIGINT', 'node-only');
    expect((await ended(app)).ending).toEqual({ how: 'exit', code: 0 });
    expect(await report()).toMatchObject({ reason: 'signal SIGINT', exitCode: 0 });
  });

  it('a deliberate second Ctrl-C after the window forces app.exit(1) at once', async () => {
    const { app } = await electronStudio({ close: { kind: 'hang' }, deadlineMs: 10_000 });
    app.signal('SIGINT', 'node-only');
    await new Promise((r) => setTimeout(r, 700));
    expect(app.ending).toBeNull();
    app.signal('SIGINT', 'node-only');
    const { ending, atMs } = await ended(app);
    expect(ending).toEqual({ how: 'exit', code: 1 });
    expect(atMs).toBeLessThan(500);
  });

  it('the force-exit timer bounds the report write and log flush: a hung flush still ends with app.exit(1)', async () => {
    const { app, quitPath } = await electronStudio({
      deadlineMs: 300,
      forceExitGraceMs: 200,
      flushLogs: () => new Promise(() => undefined),
    });
    quitPath.request('quit button');
    const { ending, atMs } = await ended(app);
    expect(ending).toEqual({ how: 'exit', code: 1 });
    // deadline + grace (500 ms), with room for a loaded machine, far from the hung flush's forever.
    expect(atMs).toBeGreaterThanOrEqual(450);
    expect(atMs).toBeLessThan(3000);
  });

  it('a quit asked for before the hooks are attached runs once they are', async () => {
    const app = new FakeElectronApp();
    const quitPath = new ElectronQuitPath({ app, settleMs: 0 });
    quitPath.request('quit button');
    const reasons: string[] = [];
    quitPath.attach({ quit: (reason) => reasons.push(reason) });
    expect(reasons).toEqual(['quit button']);
  });
});
