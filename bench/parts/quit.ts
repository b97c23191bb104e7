/*
 * Quit: an idle studio's quit (SIGINT → exit of a real host process: createStudio, every provider, a real Chroma
 * child) over the bare Chroma server's own graceful stop (SIGINT to a plain `chroma run` → its exit), measured
 * side by side in one run, medians of several runs each.
 *
 * A third process, the host's code loaded and nothing running, gives the floor: what exiting a Node process of the
 * host's size costs by itself. Studio − bare Chroma − that floor is what the shutdown steps add.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import getPort from 'get-port';
import { chromaCommand } from '../../electron/host/knowledge/chroma-launch';
import { waitForHeartbeat } from '../../electron/host/knowledge/chroma-heartbeat';
import { pidAlive } from '../../electron/host/resources/proc';
import { testChromaLaunch } from '../../test/support/chroma';
import { spawnTs, waitForExit, waitForLine } from '../../test/support/spawn-ts';
import { tempDir } from '../../test/support/temp-dir';
import type { BenchFigure } from '../report';

const RUNS = 7;
const HOST = join(__dirname, '..', 'fixtures', 'idle-studio-host.ts');
const HOST_CODE_ONLY = join(__dirname, '..', 'fixtures', 'host-code-only.ts');
/** Settle after start-up, so the quit measured is an idle one (no start-up work still running). */
const IDLE_MS = 500;

const idle = () => new Promise((r) => setTimeout(r, IDLE_MS));

/** Waits until the process is idle, sends SIGINT, and times it to its exit; it must exit with 0. */
async function sigintToExitMs(child: ChildProcess, what: string): Promise<number> {
  await idle();
  const exited = waitForExit(child);
  const t0 = performance.now();
  child.kill('SIGINT');
  const { code } = await exited;
  const ms = performance.now() - t0;
  if (code !== 0) throw new Error(`${what} exited with ${code} on SIGINT (expected 0)`);
  return ms;
}

async function studioQuitMs(dataDir: string): Promise<number> {
  const host = spawnTs(HOST, [dataDir]);
  const { chromaPid } = await waitForLine<{ chromaPid: number | null }>(host, 'READY ', 60_000);
  if (!chromaPid) throw new Error('the idle studio host has no Chroma child; see its log in the data folder');
  const ms = await sigintToExitMs(host, 'the idle studio');
  if (pidAlive(chromaPid)) throw new Error(`the studio exited but its Chroma child (pid ${chromaPid}) is still running`);
  return ms;
}

async function hostCodeExitMs(): Promise<number> {
  const host = spawnTs(HOST_CODE_ONLY);
  await waitForLine(host, 'READY ', 60_000);
  return sigintToExitMs(host, 'the host-code-only process');
}

async function bareChromaStopMs(dataDir: string): Promise<number> {
  const port = await getPort({ host: '127.0.0.1' });
  // Plain `chroma run` (only the loader this machine needs): none of what the studio adds to its own child.
  const { command, args, env } = chromaCommand({ ...testChromaLaunch(), dieWithParent: false }, dataDir, '127.0.0.1', port);
  const chroma = spawn(command, args, { env, stdio: 'ignore' });
  try {
    await waitForHeartbeat(`http://127.0.0.1:${port}`, 60_000, () =>
      chroma.exitCode !== null ? 'the bare Chroma server exited during start' : null,
    );
  } catch (err) {
    chroma.kill('SIGKILL');
    throw err;
  }
  return sigintToExitMs(chroma, 'the bare Chroma server');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export default async function quitBench(): Promise<BenchFigure[]> {
  const dir = await tempDir('npc-bench-quit-');
  const studio: number[] = [];
  const bare: number[] = [];
  const hostExit: number[] = [];
  try {
    // Interleaved, so all three see the same machine load.
    for (let run = 0; run < RUNS; run++) {
      studio.push(await studioQuitMs(join(dir.path, `studio-${run}`)));
      bare.push(await bareChromaStopMs(join(dir.path, `bare-${run}`)));
      hostExit.push(await hostCodeExitMs());
    }
  } finally {
    await dir.remove();
  }
  const studioMs = median(studio);
  const bareMs = median(bare);
  const hostExitMs = median(hostExit);
  const tenth = (ms: number) => Math.round(ms * 10) / 10;
  return [
    { name: 'quit.vs_bare_ratio', value: studioMs / bareMs, unit: 'x', target: { op: '<=', value: 3 } },
    { name: 'quit.idle_studio_median_ms', value: tenth(studioMs), unit: 'ms' },
    { name: 'quit.bare_chroma_median_ms', value: tenth(bareMs), unit: 'ms' },
    { name: 'quit.host_code_exit_median_ms', value: tenth(hostExitMs), unit: 'ms' },
    // The ratio a studio whose shutdown steps took no time at all would show: its Chroma's stop plus its own exit.
    { name: 'quit.floor_ratio', value: (bareMs + hostExitMs) / bareMs, unit: 'x' },
    { name: 'quit.shutdown_steps_ms', value: tenth(studioMs - bareMs - hostExitMs), unit: 'ms' },
  ];
}
