import { readdirSync, readFileSync } from 'node:fs';
import pidusage from 'pidusage';
import type { FigureSource, ProcessFigures } from '../../../shared/health';
import { descendantPids, fdCounts, listeningPorts, rssBytes } from './proc';

/** What pidusage answers per pid (the fields used here). */
export interface PidUsageStat {
  cpu: number;
  memory: number;
  ppid: number;
}
export type PidUsage = (pids: number[]) => Promise<Record<string, PidUsageStat>>;

/** A child the host started and knows by itself (e.g. the Chroma server), with the port it told it to use. */
export interface KnownChild {
  pid: number;
  name: string;
  port?: number;
}

export interface ProcessProbeOptions {
  /** Injected by tests to run the macOS and Windows paths here. */
  platform?: NodeJS.Platform;
  pidusage?: PidUsage;
  /** Linux only: the descendants of the host (from /proc). */
  descendants?: () => number[];
}

/** Linux's USER_HZ: 100 on every architecture the studio ships for (x64, arm64). */
const CLOCK_TICKS_PER_SECOND = 100;
const PORTS_TTL_MS = 10_000;
const DESCENDANTS_TTL_MS = 5_000;

const realPidusage: PidUsage = (pids) => pidusage(pids) as Promise<Record<string, PidUsageStat>>;

/**
 * Figures for the host and its children on every platform, each naming its source:
 * - the host: Node's own accounting (process.memoryUsage, process.cpuUsage, getActiveResourcesInfo);
 *   its fds from /proc/self/fd (Linux) or /dev/fd (macOS); Windows has handles, not fds: unknown;
 * - children on macOS and Windows: pidusage (ps, WMI); on Linux, /proc directly, because pidusage's Linux
 *   backend keeps a descriptor on /proc/<pid>/stat open for a minute per pid, which the leak checks flag;
 * - open fds and listening ports of a child: /proc alone tells them (elsewhere the port the host gave it).
 */
export class ProcessProbe {
  private readonly platform: NodeJS.Platform;
  private readonly usage: PidUsage;
  private readonly descendants: () => number[];
  private lastHostCpu = { usage: process.cpuUsage(), at: performance.now() };
  private readonly lastChildCpu = new Map<number, { ticks: number; at: number }>();
  /** Reading /proc/net/tcp costs milliseconds (the kernel walks its socket tables): a child's ports are re-read every 10 s. */
  private readonly portsCache = new Map<number, { ports: number[] | null; at: number }>();
  private descendantsCache: { pids: number[]; at: number } | null = null;

  constructor(options: ProcessProbeOptions = {}) {
    this.platform = options.platform ?? process.platform;
    this.usage = options.pidusage ?? realPidusage;
    this.descendants = options.descendants ?? (() => descendantPids());
  }

  /** The host first, then its children (known ones named, other descendants as "child process"). */
  async tree(known: KnownChild[]): Promise<ProcessFigures[]> {
    const pids = new Map<number, KnownChild>(known.map((k) => [k.pid, k]));
    if (this.platform === 'linux')
      for (const pid of this.cachedDescendants()) if (!pids.has(pid)) pids.set(pid, { pid, name: 'child process' });
    const children = [...pids.values()];
    for (const pid of this.lastChildCpu.keys()) if (!pids.has(pid)) this.forget(pid);
    const figures = this.platform === 'linux' ? children.map((c) => this.linuxChild(c)) : await this.pidusageChildren(children);
    return [this.host(), ...figures];
  }

  host(): ProcessFigures {
    const now = performance.now();
    const usage = process.cpuUsage();
    const cpuMicros = usage.user - this.lastHostCpu.usage.user + usage.system - this.lastHostCpu.usage.system;
    const wallMs = now - this.lastHostCpu.at;
    this.lastHostCpu = { usage, at: now };
    const fds = this.hostFds();
    const ports = this.platform === 'linux' ? this.cachedPorts(process.pid) : null;
    return {
      pid: process.pid,
      parentPid: null,
      name: 'studio host',
      rssBytes: process.memoryUsage.rss(),
      cpuPercent: wallMs > 0 ? round1((cpuMicros / 1000 / wallMs) * 100) : null,
      openFds: fds.value,
      listeningPorts: ports,
      sources: { rssBytes: 'node', cpuPercent: 'node', openFds: fds.source, listeningPorts: ports ? 'proc' : 'unknown' },
    };
  }

  /** Sockets and servers the host holds, from Node's own accounting (every platform). */
  hostSockets(): number {
    return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap').length;
  }

  /** Forgets CPU samples of children that are gone. */
  forget(pid: number): void {
    this.lastChildCpu.delete(pid);
    this.portsCache.delete(pid);
  }

  private hostFds(): { value: number | null; source: FigureSource } {
    if (this.platform === 'linux') {
      const counts = fdCounts();
      return counts ? { value: counts.total, source: 'proc' } : { value: null, source: 'unknown' };
    }
    if (this.platform === 'darwin') {
      try {
        // The listing itself opens one descriptor on /dev/fd: not the host's own.
        return { value: Math.max(0, readdirSync('/dev/fd').length - 1), source: 'dev-fd' };
      } catch {
        return { value: null, source: 'unknown' };
      }
    }
    return { value: null, source: 'unknown' };
  }

  private linuxChild(child: KnownChild): ProcessFigures {
    const fds = fdCounts(child.pid);
    const ports = this.cachedPorts(child.pid);
    const stat = readStat(child.pid);
    return {
      pid: child.pid,
      parentPid: stat?.parentPid ?? null,
      name: child.name,
      rssBytes: rssBytes(child.pid),
      cpuPercent: stat ? this.linuxCpu(child.pid, stat.cpuTicks) : null,
      openFds: fds?.total ?? null,
      listeningPorts: ports ?? (child.port ? [child.port] : null),
      sources: {
        rssBytes: 'proc',
        cpuPercent: 'proc',
        openFds: fds ? 'proc' : 'unknown',
        listeningPorts: ports ? 'proc' : child.port ? 'provider' : 'unknown',
      },
    };
  }

  /** Walking every thread's children file of every descendant is the tree's dearest read: once per 5 s. */
  private cachedDescendants(): number[] {
    const now = performance.now();
    if (!this.descendantsCache || now - this.descendantsCache.at >= DESCENDANTS_TTL_MS)
      this.descendantsCache = { pids: this.descendants(), at: now };
    return this.descendantsCache.pids;
  }

  private cachedPorts(pid: number): number[] | null {
    const now = performance.now();
    const hit = this.portsCache.get(pid);
    if (hit && now - hit.at < PORTS_TTL_MS) return hit.ports;
    const ports = listeningPorts(pid);
    this.portsCache.set(pid, { ports, at: now });
    return ports;
  }

  private linuxCpu(pid: number, ticks: number): number | null {
    const now = performance.now();
    const last = this.lastChildCpu.get(pid);
    this.lastChildCpu.set(pid, { ticks, at: now });
    if (!last || now <= last.at) return null;
    return round1((((ticks - last.ticks) / CLOCK_TICKS_PER_SECOND) * 1000 * 100) / (now - last.at));
  }

  private async pidusageChildren(children: KnownChild[]): Promise<ProcessFigures[]> {
    if (children.length === 0) return [];
    let stats: Record<string, PidUsageStat> = {};
    try {
      stats = await this.usage(children.map((c) => c.pid));
    } catch {
      /* a child that just ended makes the whole call fail on some platforms: its figures read unknown */
    }
    return children.map((child) => {
      const stat = stats[child.pid];
      return {
        pid: child.pid,
        parentPid: stat?.ppid ?? null,
        name: child.name,
        rssBytes: stat ? stat.memory : null,
        cpuPercent: stat ? round1(stat.cpu) : null,
        openFds: null,
        listeningPorts: child.port ? [child.port] : null,
        sources: {
          rssBytes: stat ? 'pidusage' : 'unknown',
          cpuPercent: stat ? 'pidusage' : 'unknown',
          openFds: 'unknown',
          listeningPorts: child.port ? 'provider' : 'unknown',
        },
      };
    });
  }
}

/** /proc/<pid>/stat, the fields used here (proc(5): ppid, utime + stime in clock ticks). */
function readStat(pid: number): { parentPid: number; cpuTicks: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { parentPid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
