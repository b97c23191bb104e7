import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './web-host';
import { newestMtime } from '../../../electron/host/ipc/renderer-build';

/** Where `npm install` puts the Electron binary when it could download it (never offline, from Electron 42 on). */
export const ELECTRON_BINARY = join(
  REPO,
  'node_modules',
  'electron',
  'dist',
  process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : process.platform === 'win32' ? 'electron.exe' : 'electron',
);
export const MAIN_JS = join(REPO, 'dist-electron', 'main.js');

const needsXvfb = () => process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;

/**
 * Whether the Electron spec can run here, without `require('electron')` (which tries to download the binary
 * and throws offline): the binary is on disk and `--version` runs (under xvfb-run on a Linux with no display).
 */
export function electronAvailability(): { ok: true; version: string } | { ok: false; reason: string } {
  if (process.platform === 'darwin')
    return {
      ok: false,
      reason: 'the Electron spec points the user-data folder at a temp dir with XDG_CONFIG_HOME/APPDATA, which macOS ignores',
    };
  if (!existsSync(ELECTRON_BINARY)) {
    return {
      ok: false,
      reason:
        `no Electron binary at ${ELECTRON_BINARY} (npm could not download it; ` +
        'run `node node_modules/electron/install.js` where the internet is reachable)',
    };
  }
  if (needsXvfb() && spawnSync('which', ['Xvfb']).status !== 0)
    return { ok: false, reason: 'no display and no Xvfb to run Electron under' };
  const [cmd, args] = needsXvfb() ? ['xvfb-run', ['-a', ELECTRON_BINARY, '--version']] : [ELECTRON_BINARY, ['--version']];
  const run = spawnSync(cmd, args as string[], { encoding: 'utf8', timeout: 30_000 });
  const version = run.stdout?.trim() ?? '';
  if (run.status !== 0 || !/^v\d+\./.test(version))
    return { ok: false, reason: `${ELECTRON_BINARY} --version failed (${run.status ?? run.signal}): ${run.stderr?.trim() || version}` };
  return { ok: true, version };
}

/**
 * `vite build` (renderer, main, preload) with ELECTRON_STARTUP_PREVENT=1, when dist-electron/main.js is missing
 * or older than its sources.
 */
export function ensureElectronBuilt(): void {
  const built =
    existsSync(MAIN_JS) && existsSync(join(REPO, 'dist', 'renderer', 'index.html'))
      ? Math.min(statSync(MAIN_JS).mtimeMs, statSync(join(REPO, 'dist', 'renderer', 'index.html')).mtimeMs)
      : 0;
  const sources = Math.max(...['electron', 'shared', 'renderer'].map((d) => newestMtime(join(REPO, d))));
  if (built > sources) return;
  const run = spawnSync(process.execPath, [join(REPO, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: REPO,
    env: { ...process.env, ELECTRON_STARTUP_PREVENT: '1' },
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (run.status !== 0) throw new Error(`vite build for Electron failed (${run.status ?? run.signal}):\n${run.stdout}\n${run.stderr}`);
}

/** An X server of our own when there is no display (what xvfb-run does, kept for the whole spec). */
export class VirtualDisplay {
  private constructor(
    private readonly child: ChildProcess | null,
    readonly display: string | undefined,
  ) {}

  static async startIfNeeded(): Promise<VirtualDisplay> {
    if (!needsXvfb()) return new VirtualDisplay(null, process.env.DISPLAY);
    // -displayfd: Xvfb picks a free display number and writes it to fd 3 once it accepts connections.
    const child = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1440x900x24', '-nolisten', 'tcp'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    const number = await new Promise<string>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error('Xvfb gave no display number within 15 s')), 15_000);
      child.stdio[3]!.on('data', (d: Buffer) => {
        text += d.toString();
        if (text.includes('\n')) {
          clearTimeout(timer);
          resolve(text.trim());
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`Xvfb exited with ${code}`));
      });
    });
    return new VirtualDisplay(child, `:${number}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}
