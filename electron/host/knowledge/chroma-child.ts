import { spawn, type ChildProcess } from 'node:child_process';
import { descendantPids, pidAlive } from '../resources/proc';
import type { ChromaCommand } from './chroma-launch';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StopResult {
  /** True when SIGTERM was not enough and SIGKILL was sent. */
  killed: boolean;
  ms: number;
}

const TAIL_LINES = 40;
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/** One spawned Chroma server process: its output tail, its exit, and a bounded stop. */
export class ChromaChild {
  readonly pid: number;
  readonly startedAt = Date.now();
  readonly exited: Promise<ChildExit>;
  private process: ChildProcess | null;
  private readonly lines: string[] = [];
  private exit: ChildExit | null = null;

  constructor(command: ChromaCommand, onLine?: (line: string) => void) {
    const child = spawn(command.command, command.args, { env: command.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.process = child;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
      child.once('error', (err) => {
        this.remember(`spawn failed: ${err.message}`);
        this.exit = { code: -1, signal: null };
        resolve(this.exit);
      });
    });
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        for (const raw of parts) {
          const line = raw.replace(ANSI, '').trimEnd();
          if (!line.trim()) continue;
          this.remember(line);
          onLine?.(line);
        }
      });
    }
    if (child.pid === undefined) {
      // spawn() reports ENOENT asynchronously through 'error'; there is no process to watch.
      this.pid = -1;
    } else {
      this.pid = child.pid;
    }
  }

  get alive(): boolean {
    return this.exit === null && this.pid > 0 && pidAlive(this.pid);
  }

  get exitInfo(): ChildExit | null {
    return this.exit;
  }

  /** The last lines the server printed (colours stripped), for error messages. */
  tail(n = 8): string[] {
    return this.lines.slice(-n);
  }

  /** SIGTERM, then SIGKILL (to it and anything it started) after `graceMs`; resolves once it has exited. */
  async stop(graceMs: number): Promise<StopResult> {
    const started = performance.now();
    const child = this.process;
    this.process = null;
    if (!child || this.exit) return { killed: false, ms: 0 };
    const descendants = descendantPids(this.pid);
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace'>((resolve) => (timer = setTimeout(() => resolve('grace'), graceMs)));
    const first = await Promise.race([this.exited.then(() => 'exited' as const), graceOver]);
    clearTimeout(timer);
    let killed = false;
    if (first === 'grace') {
      killed = true;
      child.kill('SIGKILL');
    }
    await this.exited;
    for (const pid of descendants) {
      if (pidAlive(pid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }
    child.stdout?.destroy();
    child.stderr?.destroy();
    return { killed, ms: Math.round(performance.now() - started) };
  }

  /** Immediate SIGKILL, e.g. for a server that stopped answering. */
  kill(): void {
    this.process?.kill('SIGKILL');
  }

  private remember(line: string): void {
    this.lines.push(line);
    if (this.lines.length > TAIL_LINES) this.lines.shift();
  }
}
