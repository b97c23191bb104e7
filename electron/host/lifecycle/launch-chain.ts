/**
 * The launch chain watch. Users start the studio through wrappers: `npm run studio:web` is npm → sh -c → node,
 * `npm start` is npm → sh -c → node electron/cli.js → Electron. dash does not exec the command of `sh -c`, and
 * npm forwards only some signals to its child, so a SIGHUP or SIGKILL to npm (or a SIGTERM, which kills the sh
 * between) never reaches the host: it would run on, orphaned. So at start the host records the wrapper
 * processes above it and polls that they are still there; when one goes, the host shuts down as for a signal.
 *
 * Per OS: Linux reads /proc (parent, command line, start time: a reused pid is told apart); macOS asks `ps`
 * once at start and then polls liveness with kill(pid, 0) and the host's own parent pid; Windows has no cheap
 * way to read another process's command line, so there only the direct parent is watched, and only when npm
 * started the host (npm_lifecycle_event is set), by its pid.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pidAlive } from '../resources/proc';
import { processLiveness, processStartId } from './process-identity';

export const LAUNCH_CHAIN_POLL_MS = 250;
/** Enough for npm → sh → tsx → node, or a terminal's sh -c on top; a deeper chain is not a launch chain. */
const MAX_DEPTH = 8;

export interface LaunchAncestor {
  pid: number;
  /** What kind of wrapper it is: 'npm', 'npx', 'sh -c', 'tsx', 'electron cli', 'npm script shell'. */
  kind: string;
  /** Tells a reused pid apart (null where the OS does not say). */
  startId: string | null;
}

export interface ProcessInfo {
  ppid: number;
  /** The command line, split into words (as well as the OS tells it). */
  argv: string[];
  startId: string | null;
}

export interface ProcessProbe {
  read(pid: number): ProcessInfo | null;
  alive(ancestor: LaunchAncestor): boolean;
}

const SHELLS = new Set(['sh', 'dash', 'bash', 'zsh', 'ksh', 'ash']);
/** Node options whose value is the next word, so that word is not the script. */
const NODE_OPTIONS_WITH_VALUE = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '--conditions', '-C']);

function baseName(path: string): string {
  return (path.split(/[\\/]/).pop() ?? '').toLowerCase().replace(/\.(exe|cmd)$/, '');
}

function nodeScript(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (NODE_OPTIONS_WITH_VALUE.has(arg)) i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

/** Which wrapper a command line is, or null when it is not one (a terminal's shell, a test runner, init). */
export function wrapperKind(argv: string[]): string | null {
  const [command, ...args] = argv;
  if (!command) return null;
  const name = baseName(command);
  if (SHELLS.has(name)) return args.includes('-c') ? 'sh -c' : null;
  // npm and npx rename their process ("npm run studio:web", "npm exec ..."); tsx may run as its own binary.
  if (name === 'npm' || name === 'npx' || name === 'tsx') return name;
  if (name !== 'node' && name !== 'nodejs') return null;
  const script = nodeScript(args)?.replace(/\\/g, '/');
  if (!script) return null;
  if (/(^|\/)npm-cli\.js$/.test(script)) return 'npm';
  if (/(^|\/)npx-cli\.js$/.test(script)) return 'npx';
  if (/(^|\/)(\.bin\/tsx|tsx\/dist\/cli\.m?js)$/.test(script)) return 'tsx';
  if (/(^|\/)(\.bin\/electron|electron\/cli\.js)$/.test(script)) return 'electron cli';
  return null;
}

/** /proc/<pid>/cmdline, split; a process that renamed itself (npm) may show one word holding spaces. */
function linuxArgv(pid: number): string[] {
  const words = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  return words.length === 1 ? words[0]!.split(' ').filter(Boolean) : words;
}

const linuxProbe: ProcessProbe = {
  read(pid) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return { ppid: Number(fields[1]), argv: linuxArgv(pid), startId: processStartId(pid, 'linux') };
    } catch {
      return null;
    }
  },
  alive: (a) => processLiveness(a.pid, a.startId).alive,
};

const psProbe: ProcessProbe = {
  read(pid) {
    try {
      const out = execFileSync('ps', ['-o', 'ppid=,command=', '-p', String(pid)], {
        encoding: 'utf8',
        timeout: 2000,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const m = /^\s*(\d+)\s+(.*)$/.exec(out.trim());
      return m ? { ppid: Number(m[1]), argv: m[2]!.split(/\s+/), startId: null } : null;
    } catch {
      return null;
    }
  },
  // A `ps` per poll would cost a process spawn every tick; macOS hands out pids in order, so a pid reused
  // within the seconds a studio runs is not a practical risk.
  alive: (a) => pidAlive(a.pid),
};

export interface ReadChainOptions {
  probe?: ProcessProbe | null;
  ppid?: number;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
}

export function systemProbe(platform: NodeJS.Platform = process.platform): ProcessProbe | null {
  if (platform === 'linux') return linuxProbe;
  if (platform === 'win32') return null;
  return psProbe;
}

/** The wrappers above this process, nearest first; empty when its parent is not a wrapper. */
export function readLaunchChain(options: ReadChainOptions = {}): LaunchAncestor[] {
  const platform = options.platform ?? process.platform;
  const ppid = options.ppid ?? process.ppid;
  const env = options.env ?? process.env;
  const probe = options.probe === undefined ? systemProbe(platform) : options.probe;
  if (!probe) return platform === 'win32' && env.npm_lifecycle_event ? [{ pid: ppid, kind: 'npm script shell', startId: null }] : [];
  const chain: LaunchAncestor[] = [];
  for (let pid = ppid; pid > 1 && chain.length < MAX_DEPTH;) {
    const info = probe.read(pid);
    const kind = info && wrapperKind(info.argv);
    if (!info || !kind) break;
    chain.push({ pid, kind, startId: info.startId });
    pid = info.ppid;
  }
  return chain;
}

export interface WatchOptions {
  /** Called once, with a sentence such as "the launcher exited (npm, pid 812)". */
  onGone(why: string): void;
  chain?: LaunchAncestor[];
  probe?: ProcessProbe;
  intervalMs?: number;
  /** This process's parent pid now (process.ppid reads it live). */
  ppid?: () => number;
}

export interface LaunchChainWatch {
  readonly chain: readonly LaunchAncestor[];
  stop(): void;
}

/** What is wrong with the chain now, or null while every wrapper is still there. */
export function launchChainBroken(chain: readonly LaunchAncestor[], probe: ProcessProbe, ppid: number): string | null {
  const parent = chain[0];
  if (!parent) return null;
  if (ppid !== parent.pid) return `the launcher exited (${parent.kind}, pid ${parent.pid}); this process was handed to pid ${ppid}`;
  const gone = chain.find((a) => !probe.alive(a));
  return gone ? `the launcher exited (${gone.kind}, pid ${gone.pid})` : null;
}

/** Polls the chain (an unref'd timer: it never keeps the process alive); nothing to watch, nothing runs. */
export function watchLaunchChain(options: WatchOptions): LaunchChainWatch {
  const chain = options.chain ?? readLaunchChain();
  const probe = options.probe ?? systemProbe() ?? { read: () => null, alive: (a: LaunchAncestor) => pidAlive(a.pid) };
  const ppid = options.ppid ?? (() => process.ppid);
  let timer: NodeJS.Timeout | null = null;
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = null;
  };
  if (chain.length > 0) {
    timer = setInterval(() => {
      const why = launchChainBroken(chain, probe, ppid());
      if (!why) return;
      stop();
      options.onGone(why);
    }, options.intervalMs ?? LAUNCH_CHAIN_POLL_MS);
    timer.unref();
  }
  return { chain, stop };
}
