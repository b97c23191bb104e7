/*
 * How the studio stops the Chroma server child: SIGINT first (this Chroma build exits on it in ~50 ms and
 * ignores SIGTERM), then SIGTERM, then SIGKILL to its whole process group, so anything it started, even after
 * the first signal, dies with it. Stand-in servers (small node scripts) play each behaviour.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChromaChild } from '../../electron/host/knowledge/chroma-child';
import { chromaCommand } from '../../electron/host/knowledge/chroma-launch';
import { pidAlive } from '../../electron/host/resources/proc';
import { eventually } from '../support/leaks';
import { spawnTs, waitForExit, waitForLine } from '../support/spawn-ts';
import { tempDir } from '../support/temp-dir';

const SPAWN_HELPER =
  "const h = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); console.log('HELPER ' + h.pid);";

/** A stand-in server: prints READY, reacts to SIGINT/SIGTERM as told, and may start a helper on a signal. */
function standIn(behaviour: { onInt?: 'exit' | 'ignore'; onTerm?: 'exit' | 'ignore' | 'spawn-helper' }): ChromaChild {
  const script = `
    const { spawn } = require('node:child_process');
    process.on('SIGINT', () => { ${behaviour.onInt === 'exit' ? 'process.exit(0)' : ''} });
    process.on('SIGTERM', () => {
      ${behaviour.onTerm === 'exit' ? 'process.exit(0);' : ''}
      ${behaviour.onTerm === 'spawn-helper' ? SPAWN_HELPER : ''}
    });
    setInterval(() => {}, 1000);
    console.log('READY');`;
  return new ChromaChild({ command: process.execPath, args: ['-e', script], env: process.env });
}

async function ready(child: ChromaChild): Promise<void> {
  await eventually(
    () => child.tail(),
    (lines) => lines.includes('READY'),
    10_000,
  );
  expect(child.tail()).toContain('READY');
}

function processGroupOf(pid: number): number {
  // /proc/<pid>/stat: "pid (comm) state ppid pgrp ..."; comm may hold spaces, so split after the last ')'.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(')').pop()!.trim().split(/\s+/);
  return Number(fields[2]);
}

describe('stopping the Chroma server child', () => {
  it('runs the server in its own process group, still under setpriv --pdeathsig KILL', async () => {
    const command = chromaCommand({ cliPath: '/x/cli.mjs' }, '/data', '127.0.0.1', 8000);
    if (command.command === '/usr/bin/setpriv') expect(command.args.slice(0, 2)).toEqual(['--pdeathsig', 'KILL']);
    const child = standIn({ onInt: 'exit' });
    await ready(child);
    expect(processGroupOf(child.pid)).toBe(child.pid);
    expect(processGroupOf(child.pid)).not.toBe(processGroupOf(process.pid));
    await child.stop(2000);
  });

  it('sends SIGINT first: a server that exits on it stops at once, without waiting for the grace', async () => {
    const child = standIn({ onInt: 'exit', onTerm: 'ignore' });
    await ready(child);
    const result = await child.stop(4000);
    expect(result.signal).toBe('SIGINT');
    expect(result.ms).toBeLessThan(2000);
    expect(child.exitInfo).toEqual({ code: 0, signal: null });
  });

  it('falls back to SIGTERM for a server that ignores SIGINT', async () => {
    const child = standIn({ onInt: 'ignore', onTerm: 'exit' });
    await ready(child);
    const result = await child.stop(600);
    expect(result.signal).toBe('SIGTERM');
    expect(child.exitInfo).toEqual({ code: 0, signal: null });
  });

  it('kills the whole process group after the grace: a helper the server started after the first signal dies too', async () => {
    const child = standIn({ onInt: 'ignore', onTerm: 'spawn-helper' });
    await ready(child);
    const result = await child.stop(600);
    const helperLine = child.tail(40).find((l) => l.startsWith('HELPER '));
    expect(helperLine).toBeDefined();
    const helper = Number(helperLine!.slice('HELPER '.length));
    expect(
      await eventually(
        () => pidAlive(helper),
        (alive) => !alive,
        3000,
      ),
    ).toBe(false);
    expect(pidAlive(child.pid)).toBe(false);
    expect(result.signal).toBe('SIGKILL');
  });

  it('a real Chroma server in its own group still dies with a host killed by SIGKILL (pdeathsig)', async () => {
    const dir = await tempDir('npc-chroma-orphan-');
    try {
      const host = spawnTs(join(__dirname, 'fixtures', 'chroma-only-host.ts'), [dir.path]);
      const { chromaPid } = await waitForLine<{ chromaPid: number }>(host, 'READY ', 60_000);
      expect(processGroupOf(chromaPid)).toBe(chromaPid);
      host.kill('SIGKILL');
      await waitForExit(host);
      expect(
        await eventually(
          () => pidAlive(chromaPid),
          (alive) => !alive,
          5000,
        ),
      ).toBe(false);
    } finally {
      await dir.remove();
    }
  }, 90_000);
});
