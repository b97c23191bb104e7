/*
 * Quit: an idle studio's quit (SIGINT → exit of a real host process: createStudio, every provider, a real Chroma
 * child) over the bare Chroma server's own graceful stop (SIGINT to a bare `chroma run` → its exit), measured
 * side by side in one run, medians of several runs each.
 */
import { spawn } from 'node:child_process';
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
/** Settle after start-up, so the quit measured is an idle one (no start-up work still running). */
const IDLE_MS = 500;

const idle = () => new Promise((r) => setTimeout(r, IDLE_MS));

async function studioQuitMs(dataDir: string): Promise<number> {
  const host = spawnTs(HOST, [dataDir]);
  const { chromaPid } = await waitForLine<{ chromaPid: number | null }>(host, 'READY ', 60_000);
  if (!chromaPid) throw new Error('the idle studio host has no Chroma child; see its log in the data folder');
  await idle();
  const exited = waitForExit(host);
  const t0 = performance.now();
  host.kill('SIGINT');
  const { code } = await exited;
  const ms = performance.now() - t0;
  if (code !== 0) throw new Error(`the idle studio exited with ${code} on SIGINT (expected 0)`);
  if (pidAlive(chromaPid)) throw new Error(`the studio exited but its Chroma child (pid ${chromaPid}) is still running`);
  return ms;
}

async function bareChromaStopMs(dataDir: string): Promise<number> {
  const port = await getPort({ host: '127.0.0.1' });
  const { command, args, env } = chromaCommand(testChromaLaunch(), dataDir, '127.0.0.1', port);
  const chroma = spawn(command, args, { env, stdio: 'ignore' });
  try {
    await waitForHeartbeat(`http://127.0.0.1:${port}`, 60_000, () =>
      chroma.exitCode !== null ? 'the bare Chroma server exited during start' : null,
    );
  } catch (err) {
    chroma.kill('SIGKILL');
    throw err;
  }
  await idle();
  const exited = waitForExit(chroma);
  const t0 = performance.now();
  chroma.kill('SIGINT');
  await exited;
  return performance.now() - t0;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export default async function quitBench(): Promise<BenchFigure[]> {
  const dir = await tempDir('npc-bench-quit-');
  const studio: number[] = [];
  const bare: number[] = [];
  try {
    // Interleaved, so both see the same machine load.
    for (let run = 0; run < RUNS; run++) {
      studio.push(await studioQuitMs(join(dir.path, `studio-${run}`)));
      bare.push(await bareChromaStopMs(join(dir.path, `bare-${run}`)));
    }
  } finally {
    await dir.remove();
  }
  const studioMs = median(studio);
  const bareMs = median(bare);
  return [
    { name: 'quit.vs_bare_ratio', value: studioMs / bareMs, unit: 'x', target: { op: '<=', value: 3 } },
    { name: 'quit.idle_studio_median_ms', value: Math.round(studioMs), unit: 'ms' },
    { name: 'quit.bare_chroma_median_ms', value: Math.round(bareMs), unit: 'ms' },
  ];
}
