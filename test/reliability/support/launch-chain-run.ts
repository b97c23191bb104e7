import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { processLiveness, processStartId } from '../../../electron/host/lifecycle/process-identity';
import { chromaLaunchPrefix } from '../../support/chroma';
import { ensureRendererBuiltOnce } from './fuzz-web-host';
import { StudioSocket } from './studio-socket';

export const REPO = join(__dirname, '..', '..', '..');
const URL_LINE = /http:\/\/127\.0\.0\.1:(\d+)\/\?token=([\w-]+)/;
const DEMO_LINE = /Ollama test server listening on http:\/\/127\.0\.0\.1:(\d+)/;

export interface TreeProcess {
  pid: number;
  ppid: number;
  startId: string | null;
  command: string;
}

/** Every process on this Linux host: pid → parent and command line (from /proc). */
function processTable(): TreeProcess[] {
  const rows: TreeProcess[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const command = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      rows.push({ pid: Number(name), ppid, startId: processStartId(Number(name), 'linux'), command });
    } catch {
      /* ended while listing */
    }
  }
  return rows;
}

/** `root` and everything under it, now. */
export function processTree(root: number): TreeProcess[] {
  const table = processTable();
  const tree = table.filter((p) => p.pid === root);
  for (let i = 0; i < tree.length; i++) tree.push(...table.filter((p) => p.ppid === tree[i]!.pid));
  return tree;
}

export function stillAlive(processes: TreeProcess[]): TreeProcess[] {
  return processes.filter((p) => processLiveness(p.pid, p.startId).alive);
}

/** Polls until none of `processes` is alive or `ms` have passed; returns those alive at the end and when all went. */
export async function waitAllGone(processes: TreeProcess[], ms: number): Promise<{ alive: TreeProcess[]; goneAfterMs: number | null }> {
  const t0 = performance.now();
  for (;;) {
    const alive = stillAlive(processes);
    if (alive.length === 0) return { alive, goneAfterMs: performance.now() - t0 };
    if (performance.now() - t0 >= ms) return { alive, goneAfterMs: null };
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface LaunchOptions {
  /** `npm run studio:web -- --demo` (default) or `npm run ollama:demo`. */
  script?: 'studio:web' | 'ollama:demo';
  dataDir: string;
  /** In a real pseudo-terminal (util-linux `script`), as a person types it; else npm with pipes, in its own group. */
  pty: boolean;
  readyMs?: number;
}

/**
 * `npm run studio:web -- --demo --data-dir DIR` as users start it: npm → sh -c → node (the host) → Chroma.
 * With `pty`, `script` runs npm on a new pseudo-terminal, so "\x03" written to it is a real Ctrl-C: the
 * terminal's line discipline sends SIGINT to the whole foreground process group.
 */
export class LaunchedStudio {
  private out = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  port = 0;
  token = '';

  private constructor(
    readonly child: ChildProcess,
    private readonly readyLine: RegExp,
  ) {
    // Decoded as a stream: "…" in the notice is three bytes, and a chunk boundary may fall inside it.
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (this.out += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (this.out += d));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  static async start(options: LaunchOptions): Promise<LaunchedStudio> {
    const script = options.script ?? 'studio:web';
    const args = script === 'studio:web' ? ['run', script, '--', '--demo', '--data-dir', options.dataDir, '--port', '0'] : ['run', script];
    ensureRendererBuiltOnce();
    const env = {
      ...process.env,
      PATH: `${join(REPO, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
      NPC_STUDIO_CHROMA_PREFIX: JSON.stringify(chromaLaunchPrefix()),
    };
    const child = options.pty
      ? spawn('script', ['-qfec', `npm ${args.map((a) => `'${a}'`).join(' ')}`, '/dev/null'], { cwd: REPO, env, stdio: 'pipe' })
      : spawn('npm', args, { cwd: REPO, env, stdio: 'pipe', detached: true });
    const studio = new LaunchedStudio(child, script === 'studio:web' ? URL_LINE : DEMO_LINE);
    await studio.waitForUrl(options.readyMs ?? 180_000);
    return studio;
  }

  get output(): string {
    return this.out;
  }

  /** The launch chain and what the host started, each with its start time (a reused pid is not mistaken for it). */
  tree(): TreeProcess[] {
    return processTree(this.child.pid!);
  }

  /** The process of the tree whose command line matches. */
  find(tree: TreeProcess[], what: 'npm' | 'sh' | 'host' | 'chroma'): TreeProcess {
    const pattern = {
      npm: /^npm run /,
      sh: /^sh -c /,
      host: /^\S*node --import tsx electron\/(web-host|host\/demo\/ollama-demo)\.ts/,
      chroma: /chromadb|chroma/,
    }[what];
    const found = tree.find((p) => pattern.test(p.command));
    if (!found) throw new Error(`no ${what} process in the tree:\n${tree.map((p) => `${p.pid} ${p.command}`).join('\n')}`);
    return found;
  }

  ctrlC(): void {
    this.child.stdin?.write('\x03');
  }

  socket(): Promise<StudioSocket> {
    return StudioSocket.open(this.port, `http://127.0.0.1:${this.port}`, this.token);
  }

  private waitForUrl(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`no URL within ${ms} ms:\n${this.out.slice(-3000)}`)), ms);
      const onData = () => {
        const m = this.readyLine.exec(this.out);
        if (!m) return;
        this.port = Number(m[1]);
        this.token = m[2] ?? '';
        done();
      };
      const onExit = () => done(new Error(`the launch ended before the studio printed its URL:\n${this.out.slice(-3000)}`));
      const done = (err?: Error) => {
        clearTimeout(timer);
        this.child.stdout?.off('data', onData);
        this.child.off('exit', onExit);
        if (err) reject(err);
        else resolve();
      };
      this.child.stdout?.on('data', onData);
      this.child.once('exit', onExit);
      onData();
    });
  }
}

/** Ends whatever of a tree a failed round left behind. */
export function killLeftovers(processes: TreeProcess[]): void {
  for (const p of stillAlive(processes)) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}
