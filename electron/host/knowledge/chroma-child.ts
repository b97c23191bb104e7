import { spawn, type ChildProcess } from 'node:child_process';
import { pidAlive } from '../resources/proc';
import type { ChromaCommand } from './chroma-launch';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The signal the server answered by exiting: SIGINT (graceful), SIGTERM, or SIGKILL after the grace. */
export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGKILL';

export interface StopResult {
  /** The last signal sent before the server exited; undefined when it had already exited. */
  signal?: StopSignal;
  ms: number;
}

/** POSIX: the child leads its own process group, so one signal reaches it and anything it starts, even later. */
const OWN_GROUP = process.platform !== 'win32';

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
    // detached: its own process group (and session), out of the terminal's reach: Ctrl-C reaches the host only,
    // and the host closes the server in its shutdown step. A killed host takes it along all the same: setpriv's
    // pdeathsig on Linux, and everywhere the server's own watch on its parent (parent-watch.ts).
    const child = spawn(command.command, command.args, { env: command.env, stdio: ['ignore', 'pipe', 'pipe'], detached: OWN_GROUP });
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

  /**
   * SIGINT (this Chroma build exits on it in ~50 ms and ignores SIGTERM), SIGTERM after half the grace, SIGKILL
   * after the whole grace; every signal goes to the server's process group, and once the server has exited the
   * group gets a SIGKILL so nothing it started (even after the first signal) outlives it.
   */
  async stop(graceMs: number): Promise<StopResult> {
    const started = performance.now();
    const child = this.process;
    this.process = null;
    if (!child || this.exit) return { ms: 0 };
    const steps: Array<{ signal: StopSignal; afterMs: number }> = [
      { signal: 'SIGINT', afterMs: 0 },
      { signal: 'SIGTERM', afterMs: graceMs / 2 },
      { signal: 'SIGKILL', afterMs: graceMs },
    ];
    let signal: StopSignal = 'SIGINT';
    for (const step of steps) {
      const waitMs = step.afterMs - (performance.now() - started);
      if (waitMs > 0 && (await this.exitedWithin(waitMs))) break;
      if (this.exit) break;
      signal = step.signal;
      this.signalGroup(child, signal);
    }
    await this.exited;
    this.signalGroup(child, 'SIGKILL');
    child.stdout?.destroy();
    child.stderr?.destroy();
    return { signal, ms: Math.round(performance.now() - started) };
  }

  /** Immediate SIGKILL to the server and its group, e.g. for a server that stopped answering. */
  kill(): void {
    if (this.process) this.signalGroup(this.process, 'SIGKILL');
  }

  private async exitedWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    const exited = await Promise.race([this.exited.then(() => true as const), timeout]);
    clearTimeout(timer);
    return exited;
  }

  private signalGroup(child: ChildProcess, signal: StopSignal): void {
    if (!OWN_GROUP || this.pid <= 0) {
      if (!this.exit) child.kill(signal);
      return;
    }
    try {
      process.kill(-this.pid, signal);
    } catch {
      // ESRCH: the whole group is gone already.
    }
  }

  private remember(line: string): void {
    this.lines.push(line);
    if (this.lines.length > TAIL_LINES) this.lines.shift();
  }
}
