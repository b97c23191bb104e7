import { spawn } from 'node:child_process';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  launchChainBroken,
  readLaunchChain,
  systemProbe,
  watchLaunchChain,
  wrapperKind,
  type LaunchAncestor,
  type ProcessInfo,
  type ProcessProbe,
} from '../../electron/host/lifecycle/launch-chain';
import { SAME_REQUEST_WINDOW_MS, SignalRule } from '../../electron/host/lifecycle/signal-rule';
import { waitForLine } from '../support/spawn-ts';
import { tempDir } from '../support/temp-dir';

describe('wrapperKind', () => {
  it.each([
    [['sh', '-c', 'node --import tsx electron/web-host.ts'], 'sh -c'],
    [['/bin/dash', '-c', 'vite build && electron .'], 'sh -c'],
    [['npm', 'run', 'studio:web'], 'npm'],
    [['npm', 'exec', 'tsx'], 'npm'],
    [['/usr/bin/node', '/usr/lib/node_modules/npm/bin/npm-cli.js', 'run', 'studio:web'], 'npm'],
    [['node', '/usr/lib/node_modules/npm/bin/npx-cli.js', 'tsx'], 'npx'],
    [['node', '/work/main/node_modules/.bin/tsx', 'electron/web-host.ts'], 'tsx'],
    [['node', '/work/main/node_modules/tsx/dist/cli.mjs', 'electron/web-host.ts'], 'tsx'],
    [['node', '/work/main/node_modules/.bin/electron', '.'], 'electron cli'],
    [['node', 'C:\\app\\node_modules\\electron\\cli.js', '.'], 'electron cli'],
  ])('%j is a wrapper (%s)', (argv, kind) => {
    expect(wrapperKind(argv)).toBe(kind);
  });

  it.each([
    [['-bash']],
    [['bash']],
    [['/usr/bin/zsh', '-l']],
    [['node', '--import', 'tsx', 'electron/web-host.ts']],
    [['node', '/work/main/node_modules/vitest/vitest.mjs', 'run']],
    [['script', '-qec', 'npm run studio:web', '/dev/null']],
    [['/sbin/init']],
    [[]],
  ])('%j is not a wrapper', (argv) => {
    expect(wrapperKind(argv)).toBeNull();
  });
});

/** A process table to walk: pid → what the OS would say, and which pids are alive. */
function fakeProbe(table: Record<number, ProcessInfo>, dead = new Set<number>()): ProcessProbe {
  return { read: (pid) => table[pid] ?? null, alive: (a: LaunchAncestor) => !dead.has(a.pid) && !!table[a.pid] };
}

const TABLE: Record<number, ProcessInfo> = {
  40: { ppid: 30, argv: ['sh', '-c', 'node --import tsx electron/web-host.ts'], startId: 's40' },
  30: { ppid: 20, argv: ['npm', 'run', 'studio:web'], startId: 's30' },
  20: { ppid: 10, argv: ['-bash'], startId: 's20' },
  10: { ppid: 1, argv: ['sshd: user'], startId: 's10' },
};

describe('readLaunchChain', () => {
  it('records the wrappers above the host, nearest first, and stops at the first that is not one', () => {
    expect(readLaunchChain({ probe: fakeProbe(TABLE), ppid: 40, platform: 'linux' })).toEqual([
      { pid: 40, kind: 'sh -c', startId: 's40' },
      { pid: 30, kind: 'npm', startId: 's30' },
    ]);
  });

  it('is empty when the parent is not a wrapper (a terminal, a test runner, a desktop launcher)', () => {
    expect(readLaunchChain({ probe: fakeProbe(TABLE), ppid: 20, platform: 'linux' })).toEqual([]);
  });

  it('on Windows watches the direct parent only when npm started the host', () => {
    expect(readLaunchChain({ probe: null, ppid: 7, platform: 'win32', env: { npm_lifecycle_event: 'studio:web' } })).toEqual([
      { pid: 7, kind: 'npm script shell', startId: null },
    ]);
    expect(readLaunchChain({ probe: null, ppid: 7, platform: 'win32', env: {} })).toEqual([]);
  });

  it('reads this very process on this OS (Linux: /proc)', () => {
    const probe = systemProbe();
    if (!probe) return expect(process.platform).toBe('win32');
    const me = probe.read(process.pid);
    expect(me?.ppid).toBe(process.ppid);
    expect(me?.argv.join(' ')).toContain('node');
  });
});

describe('launchChainBroken', () => {
  const chain = readLaunchChain({ probe: fakeProbe(TABLE), ppid: 40, platform: 'linux' });

  it('is null while every wrapper runs and the parent is the same', () => {
    expect(launchChainBroken(chain, fakeProbe(TABLE), 40)).toBeNull();
  });

  it('names the wrapper that exited (npm killed: sh and the host still run)', () => {
    expect(launchChainBroken(chain, fakeProbe(TABLE, new Set([30])), 40)).toBe('the launcher exited (npm, pid 30)');
  });

  it('sees the host handed to another parent (its sh was killed; the pid may even have been reused)', () => {
    expect(launchChainBroken(chain, fakeProbe(TABLE), 1)).toMatch(
      /^the launcher exited \(sh -c, pid 40\); this process was handed to pid 1$/,
    );
  });

  it('the watch calls back once and stops; with no chain it never runs', async () => {
    const dead = new Set<number>();
    const calls: string[] = [];
    const watch = watchLaunchChain({
      chain,
      probe: fakeProbe(TABLE, dead),
      ppid: () => 40,
      intervalMs: 10,
      onGone: (why) => calls.push(why),
    });
    await new Promise((r) => setTimeout(r, 40));
    expect(calls).toEqual([]);
    dead.add(30);
    await new Promise((r) => setTimeout(r, 60));
    expect(calls).toEqual(['the launcher exited (npm, pid 30)']);
    watch.stop();
    const none = watchLaunchChain({ chain: [], onGone: () => calls.push('never') });
    expect(none.chain).toEqual([]);
  });
});

describe('the real chain (Linux)', () => {
  it.skipIf(process.platform !== 'linux')('a host under `sh -c` sees its sh killed and says so within the poll', async () => {
    // sh -c 'node …; true': the trailing command keeps dash from exec-ing node, as in `npm run`.
    const entry = join(__dirname, '../fixtures/launch-chain-probe.ts');
    const sh = spawn('sh', ['-c', `"${process.execPath}" --import tsx "${entry}"; true`], { stdio: ['ignore', 'pipe', 'pipe'] });
    const ready = await waitForLine<{ chain: LaunchAncestor[]; pid: number }>(sh, 'CHAIN ');
    expect(ready.chain.map((a) => a.kind)).toEqual(['sh -c']);
    expect(ready.chain[0]!.pid).toBe(sh.pid);
    let out = '';
    sh.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    const t0 = performance.now();
    sh.kill('SIGKILL');
    while (!out.includes('GONE') && performance.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
    expect(out).toMatch(/GONE the launcher exited \(sh -c, pid \d+\)/);
  });
});

describe('the real chain of `npm start` (Linux)', () => {
  it.skipIf(process.platform !== 'linux')(
    "Electron's CLI wrapper (node_modules/electron/cli.js) is a wrapper; killing it is seen",
    async () => {
      // The real cli.js, with its `require('./')` (the binary's path) answering this Node: no Electron binary needed.
      const dir = await tempDir();
      try {
        const pkg = join(dir.path, 'node_modules', 'electron');
        await mkdir(pkg, { recursive: true });
        await copyFile(join(__dirname, '../../node_modules/electron/cli.js'), join(pkg, 'cli.js'));
        await writeFile(join(pkg, 'index.js'), 'module.exports = process.execPath;\n');
        const entry = join(__dirname, '../fixtures/launch-chain-probe.ts');
        const cli = spawn(process.execPath, [join(pkg, 'cli.js'), '--import', 'tsx', entry], { stdio: ['ignore', 'pipe', 'pipe'] });
        const ready = await waitForLine<{ chain: LaunchAncestor[] }>(cli, 'CHAIN ');
        expect(ready.chain.map((a) => [a.kind, a.pid])).toEqual([['electron cli', cli.pid]]);
        let out = '';
        cli.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
        cli.kill('SIGKILL');
        const t0 = performance.now();
        while (!out.includes('GONE') && performance.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
        expect(out).toMatch(/GONE the launcher exited \(electron cli, pid \d+\)/);
      } finally {
        await dir.remove();
      }
    },
  );
});

describe('SignalRule', () => {
  it('a copy within the window is the same request; one after it forces', () => {
    let now = 0;
    const rule = new SignalRule(SAME_REQUEST_WINDOW_MS, () => now);
    expect(rule.onSignal()).toBe('first');
    now = 40;
    expect(rule.onSignal()).toBe('copy');
    now = SAME_REQUEST_WINDOW_MS;
    expect(rule.onSignal()).toBe('copy');
    now = SAME_REQUEST_WINDOW_MS + 1;
    expect(rule.onSignal()).toBe('force');
  });

  it('the window is 500 ms: relays arrive within tens of ms, a few hundred on a loaded machine', () => {
    expect(SAME_REQUEST_WINDOW_MS).toBe(500);
  });
});
