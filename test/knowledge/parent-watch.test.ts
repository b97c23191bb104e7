/*
 * The Chroma server's own watch on its host (parent-watch.ts), the portable twin of Linux's pdeathsig: with
 * setpriv off (as on macOS and Windows), a host killed with SIGKILL still takes its Chroma server with it.
 * The watch logic is tested on its shipped source with an injected probe; then real processes: stand-in CLIs
 * (one that honours SIGINT, one whose main thread is blocked like Chroma's native binding) and the real Chroma.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { chromaCommand } from '../../electron/host/knowledge/chroma-launch';
import { WATCH_PARENT_SOURCE, type ParentWatchProbe, type WatchParent } from '../../electron/host/knowledge/parent-watch';
import { pidAlive } from '../../electron/host/resources/proc';
import { eventually } from '../support/leaks';
import { spawnTs, waitForExit, waitForLine } from '../support/spawn-ts';
import { tempDir } from '../support/temp-dir';

// The shipped watch is a source string: test that very string.
const watchParent = new Function(`return (${WATCH_PARENT_SOURCE});`)() as WatchParent;

function fakeProcess(parent = 100): ParentWatchProbe & { parent: number; hostAlive: boolean; calls: string[] } {
  const probe = {
    parent,
    hostAlive: true,
    calls: [] as string[],
    parentPid: () => probe.parent,
    alive: (pid: number) => pid === 100 && probe.hostAlive,
    interrupt: () => probe.calls.push('SIGINT'),
    kill: () => probe.calls.push('SIGKILL'),
  };
  return probe;
}

describe('the parent watch (injected probe)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('does nothing while the host lives', () => {
    const probe = fakeProcess();
    const stop = watchParent(100, 100, probe, 300, 2000);
    vi.advanceTimersByTime(60_000);
    expect(probe.calls).toEqual([]);
    stop();
  });

  it('POSIX: a changed parent pid (the orphan was re-parented) → SIGINT within one poll, SIGKILL after the grace', () => {
    const probe = fakeProcess();
    watchParent(100, 100, probe, 300, 2000);
    vi.advanceTimersByTime(900);
    probe.parent = 1;
    vi.advanceTimersByTime(300);
    expect(probe.calls).toEqual(['SIGINT']);
    vi.advanceTimersByTime(1999);
    expect(probe.calls).toEqual(['SIGINT']);
    vi.advanceTimersByTime(1);
    expect(probe.calls).toEqual(['SIGINT', 'SIGKILL']);
    vi.advanceTimersByTime(10_000);
    expect(probe.calls).toEqual(['SIGINT', 'SIGKILL']);
  });

  it('Windows: same parent pid but the host is gone → SIGINT', () => {
    const probe = fakeProcess();
    watchParent(100, 100, probe, 300, 2000);
    probe.hostAlive = false;
    vi.advanceTimersByTime(300);
    expect(probe.calls).toEqual(['SIGINT']);
  });

  it('a server that exits on the SIGINT is not killed: the process, and its grace timer, end with it', () => {
    const probe = fakeProcess();
    const stop = watchParent(100, 100, probe, 300, 2000);
    probe.parent = 1;
    vi.advanceTimersByTime(300);
    stop(); // stands for the process ending
    vi.advanceTimersByTime(5000);
    expect(probe.calls).toEqual(['SIGINT']);
  });
});

describe('the command', () => {
  it('runs the CLI through the watch bootstrap with its argv unchanged where pdeathsig is not used', () => {
    const command = chromaCommand({ cliPath: '/x/cli.mjs', node: '/n/node', parentDeathSignal: false }, '/data', '127.0.0.1', 8000);
    expect(command.command).toBe('/n/node');
    expect(command.args[0]).toBe('-e');
    expect(command.args.slice(2)).toEqual(['/x/cli.mjs', 'run', '--path', '/data', '--host', '127.0.0.1', '--port', '8000']);
    const plain = chromaCommand({ cliPath: '/x/cli.mjs', node: '/n/node', dieWithParent: false }, '/data', '127.0.0.1', 8000);
    const plainArgv = [plain.command, ...plain.args];
    expect(plainArgv).toEqual(['/n/node', '/x/cli.mjs', 'run', '--path', '/data', '--host', '127.0.0.1', '--port', '8000']);
  });

  it.runIf(process.platform === 'linux' && existsSync('/usr/bin/setpriv'))('uses setpriv alone on Linux: no watch thread', () => {
    const command = chromaCommand({ cliPath: '/x/cli.mjs', node: '/n/node' }, '/data', '127.0.0.1', 8000);
    expect([command.command, ...command.args]).toEqual([
      '/usr/bin/setpriv',
      '--pdeathsig',
      'KILL',
      '/n/node',
      '/x/cli.mjs',
      'run',
      '--path',
      '/data',
      '--host',
      '127.0.0.1',
      '--port',
      '8000',
    ]);
  });
});

const GRACEFUL_CLI = `
import { appendFileSync } from 'node:fs';
const args = process.argv.slice(2);
const events = args[args.indexOf('--path') + 1] + '/events';
appendFileSync(events, JSON.stringify(args) + '\\n');
process.on('SIGINT', () => { appendFileSync(events, '"SIGINT"\\n'); process.exit(0); });
setInterval(() => {}, 1000);`;

/** Like Chroma's binding: a SIGINT handler that can never run, because the main thread never yields. */
const BLOCKED_CLI = `
import { appendFileSync } from 'node:fs';
const args = process.argv.slice(2);
appendFileSync(args[args.indexOf('--path') + 1] + '/events', JSON.stringify(args) + '\\n');
process.on('SIGINT', () => process.exit(0));
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);`;

/** Hosts and servers the tests started: any still alive after a test (a failed one) is killed, so nothing is left. */
const servers: number[] = [];
const hosts: ChildProcess[] = [];

async function killHostOf(cli: string, dir: string): Promise<{ pid: number; goneAfterMs: number }> {
  const cliPath = join(dir, 'cli.mjs');
  writeFileSync(cliPath, cli);
  const host = spawnTs(join(__dirname, 'fixtures', 'parent-watch-host.ts'), [cliPath, dir]);
  hosts.push(host);
  const { pid } = await waitForLine<{ pid: number }>(host, 'READY ', 30_000);
  servers.push(pid);
  await eventually(
    () => readFileSync(join(dir, 'events'), { encoding: 'utf8', flag: 'a+' }),
    (text) => text.length > 0,
    10_000,
  );
  expect(pidAlive(pid)).toBe(true);
  host.kill('SIGKILL');
  await waitForExit(host);
  const killedAt = performance.now();
  await eventually(
    () => pidAlive(pid),
    (alive) => !alive,
    10_000,
  );
  return { pid, goneAfterMs: performance.now() - killedAt };
}

describe('a host killed with SIGKILL, setpriv off (macOS, Windows)', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await tempDir('npc-parent-watch-');
  });
  afterEach(async () => {
    for (const host of hosts.splice(0)) if (host.exitCode === null && host.signalCode === null) host.kill('SIGKILL');
    for (const pid of servers.splice(0)) if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
    await dir.remove();
  });

  it('a server that honours SIGINT gets SIGINT and is gone within 2 s; it saw the argv of a plain `node cli ...`', async () => {
    const { pid, goneAfterMs } = await killHostOf(GRACEFUL_CLI, dir.path);
    expect(pidAlive(pid)).toBe(false);
    expect(goneAfterMs).toBeLessThan(2000);
    const events = readFileSync(join(dir.path, 'events'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    expect(events).toEqual([['run', '--path', dir.path, '--host', '127.0.0.1', '--port', '1'], 'SIGINT']);
  }, 60_000);

  it('a server whose main thread never yields is killed after the grace', async () => {
    const { pid, goneAfterMs } = await killHostOf(BLOCKED_CLI, dir.path);
    expect(pidAlive(pid)).toBe(false);
    expect(goneAfterMs).toBeGreaterThan(1500);
    expect(goneAfterMs).toBeLessThan(6000);
  }, 60_000);

  it('the real Chroma server is gone within 2 s', async () => {
    const host = spawnTs(join(__dirname, 'fixtures', 'chroma-only-host.ts'), [dir.path, 'no-pdeathsig']);
    hosts.push(host);
    const { chromaPid } = await waitForLine<{ chromaPid: number }>(host, 'READY ', 60_000);
    servers.push(chromaPid);
    expect(readFileSync(`/proc/${chromaPid}/cmdline`, 'utf8').split('\0')).toContain('-e');
    host.kill('SIGKILL');
    await waitForExit(host);
    const killedAt = performance.now();
    await eventually(
      () => pidAlive(chromaPid),
      (alive) => !alive,
      10_000,
    );
    expect(pidAlive(chromaPid)).toBe(false);
    expect(performance.now() - killedAt).toBeLessThan(2000);
  }, 90_000);
});
