import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { descendantPids, pidAlive } from '../../../electron/host/resources/proc';
import { DEFAULT_SETTINGS, SETTINGS_FILE } from '../../../electron/host/settings/settings-store';
import type { Settings } from '../../../shared/settings';
import { chromaLaunchPrefix } from '../../support/chroma';
import { waitForExit } from '../../support/spawn-ts';

const REPO = join(__dirname, '..', '..', '..');

/** npm run studio:web as a child process: its pid, page origin, token, and a clean stop. */
export interface WebHostProcess {
  child: ChildProcess;
  pid: number;
  origin: string;
  port: number;
  token: string;
  wsUrl(token?: string): string;
  output(): string;
  /**
   * SIGTERM (the studio's own shutdown path), then its exit status and how many of its child processes
   * outlived it; anything still running after `ms` (or after it exited) is SIGKILLed so nothing is left.
   */
  stop(ms?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; leftover: number }>;
}

/**
 * web-host.ts builds the renderer when dist/renderer is stale; two test files starting it at once would
 * race on that folder, so the build check runs here first, one process at a time.
 */
export function ensureRendererBuiltOnce(): void {
  const lock = join(REPO, '.cache', 'renderer-build.lock');
  mkdirSync(join(REPO, '.cache'), { recursive: true });
  const script =
    "import('./electron/host/ipc/renderer-build.ts')" +
    ".then((m) => m.ensureRendererBuilt(process.cwd(), (l) => process.stderr.write(l + '\\n')))";
  const r = spawnSync('flock', [lock, process.execPath, '--import', 'tsx', '-e', script], {
    cwd: REPO,
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 300_000,
  });
  if (r.status !== 0) throw new Error(`renderer build failed (${r.status}): ${r.stderr?.toString()}`);
}

/**
 * Starts the real web host on a fresh data folder with `settings` written first (e.g. the test Ollama's
 * URL), embedded Chroma through the prepared loader, on a free loopback port.
 */
export async function startWebHost(dataDir: string, settings: Partial<Settings> = {}, ms = 90_000): Promise<WebHostProcess> {
  ensureRendererBuiltOnce();
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, SETTINGS_FILE), JSON.stringify({ ...DEFAULT_SETTINGS, ...settings }, null, 2));
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'electron', 'web-host.ts'), '--data-dir', dataDir, '--port', '0'], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NPC_STUDIO_CHROMA_PREFIX: JSON.stringify(chromaLaunchPrefix()) },
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const url = await new Promise<URL>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the web host printed no URL within ${ms} ms:\n${out}`)), ms);
    const look = () => {
      const match = /^\s+(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/m.exec(out);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', look);
      resolve(new URL(match[1]!));
    };
    child.stdout!.on('data', look);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the web host exited with ${code} before it was ready:\n${out}`));
    });
  });
  const token = url.searchParams.get('token')!;
  const port = Number(url.port);
  const pid = child.pid!;
  return {
    child,
    pid,
    origin: url.origin,
    port,
    token,
    wsUrl: (t?: string) => `ws://127.0.0.1:${port}/ws${t === undefined ? '' : `?token=${encodeURIComponent(t)}`}`,
    output: () => out,
    stop: async (grace = 15_000) => {
      const family = [pid, ...descendantPids(pid)];
      const exited = waitForExit(child);
      child.kill('SIGTERM');
      const killAll = () => family.filter((p) => pidAlive(p) && kill(p)).length;
      const timer = setTimeout(killAll, grace);
      const status = await exited;
      clearTimeout(timer);
      return { ...status, leftover: killAll() };
    },
  };
}

function kill(pid: number): boolean {
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}
