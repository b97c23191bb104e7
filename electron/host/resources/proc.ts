import { AsyncLocalStorage } from 'node:async_hooks';
import { readdirSync, readlinkSync, readFileSync } from 'node:fs';

/** OS-level probes from /proc (Linux). Elsewhere they return null so health says "unknown", never a made-up 0. */

export interface FdCounts {
  total: number;
  sockets: number;
  files: number;
  pipes: number;
}

/** What each of `pid`'s descriptors points at ('' for one closed while listing); null without /proc. */
function readFdLinks(pid: number | 'self'): string[] | null {
  try {
    return readdirSync(`/proc/${pid}/fd`).map((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return '';
      }
    });
  } catch {
    return null;
  }
}

/**
 * Within a health beat (withSharedTcpTable), a process's descriptors are listed once and shared: the host's open
 * files, sockets and fd count are asked by a dozen providers per beat, and each listing is a readlink per fd.
 * A copy is at most SHARED_FD_LINKS_MS old, less than the 1 Hz beat, so every beat lists them afresh.
 */
export const SHARED_FD_LINKS_MS = 500;
const sharedFdLinks = new Map<number | 'self', { links: string[] | null; at: number }>();

function fdLinks(pid: number | 'self'): string[] | null {
  if (!tcpScope.getStore()) return readFdLinks(pid);
  const now = performance.now();
  const hit = sharedFdLinks.get(pid);
  if (hit && now - hit.at < SHARED_FD_LINKS_MS) return hit.links;
  for (const [key, entry] of sharedFdLinks) if (now - entry.at >= SHARED_FD_LINKS_MS) sharedFdLinks.delete(key);
  const links = readFdLinks(pid);
  sharedFdLinks.set(pid, { links, at: now });
  return links;
}

export function fdCounts(pid: number | 'self' = 'self'): FdCounts | null {
  const links = fdLinks(pid);
  if (!links) return null;
  const counts: FdCounts = { total: 0, sockets: 0, files: 0, pipes: 0 };
  for (const link of links) {
    if (!link) continue;
    counts.total++;
    if (link.startsWith('socket:')) counts.sockets++;
    else if (link.startsWith('pipe:')) counts.pipes++;
    else if (link.startsWith('/')) counts.files++;
  }
  return counts;
}

/** Paths of regular files this process holds open. */
export function openFilePaths(pid: number | 'self' = 'self'): string[] {
  return (fdLinks(pid) ?? []).filter((l) => l.startsWith('/') && !l.startsWith('/dev/') && !l.startsWith('/proc/'));
}

function socketInodes(pid: number | 'self'): Set<string> {
  const inodes = new Set<string>();
  for (const link of fdLinks(pid) ?? []) {
    const m = /^socket:\[(\d+)\]$/.exec(link);
    if (m) inodes.add(m[1]!);
  }
  return inodes;
}

interface TcpRow {
  localPort: number;
  remotePort: number;
  state: string;
  inode: string;
}

const TCP_STATES: Record<string, string> = {
  '01': 'ESTABLISHED',
  '02': 'SYN_SENT',
  '03': 'SYN_RECV',
  '04': 'FIN_WAIT1',
  '05': 'FIN_WAIT2',
  '06': 'TIME_WAIT',
  '07': 'CLOSE',
  '08': 'CLOSE_WAIT',
  '09': 'LAST_ACK',
  '0A': 'LISTEN',
  '0B': 'CLOSING',
};

/**
 * Within `work` (a health check of every provider), /proc/net/tcp is read at most every SHARED_TCP_TABLE_MS and
 * shared: the kernel takes milliseconds to produce it, and several providers ask each second. The descriptor
 * listings are shared in the same scope (see fdLinks). Outside such a scope (tests, shutdown checks) every call
 * reads afresh.
 */
const tcpScope = new AsyncLocalStorage<true>();
/** How old the health beat's copy of the table may be: the 1 Hz beat reads it every fifth second. */
export const SHARED_TCP_TABLE_MS = 4_500;
let shared: { rows: TcpRow[]; at: number } | null = null;

export function withSharedTcpTable<T>(work: () => Promise<T>): Promise<T> {
  return tcpScope.run(true, work);
}

function tcpRows(): TcpRow[] {
  if (!tcpScope.getStore()) return readTcpRows();
  const now = performance.now();
  if (!shared || now - shared.at >= SHARED_TCP_TABLE_MS) shared = { rows: readTcpRows(), at: now };
  return shared.rows;
}

function readTcpRows(): TcpRow[] {
  const rows: TcpRow[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      rows.push({
        localPort: parseInt(cols[1]!.split(':')[1]!, 16),
        remotePort: parseInt(cols[2]!.split(':')[1]!, 16),
        state: TCP_STATES[cols[3]!] ?? cols[3]!,
        inode: cols[9]!,
      });
    }
  }
  return rows;
}

/** TCP sockets owned by this process (or `pid`) connected to `remotePort`, in any state but closed ones. */
export function socketsToPort(remotePort: number, pid: number | 'self' = 'self'): number {
  const mine = socketInodes(pid);
  return tcpRows().filter((r) => r.remotePort === remotePort && mine.has(r.inode) && r.inode !== '0').length;
}

/** TCP ports `pid` listens on; null without /proc. */
export function listeningPorts(pid: number | 'self'): number[] | null {
  if (fdLinks(pid) === null) return null;
  const mine = socketInodes(pid);
  const ports = tcpRows()
    .filter((r) => r.state === 'LISTEN' && mine.has(r.inode))
    .map((r) => r.localPort);
  return [...new Set(ports)].sort((a, b) => a - b);
}

/** Whether anything on this machine listens on the TCP port. */
export function isListening(port: number): boolean {
  return tcpRows().some((r) => r.localPort === port && r.state === 'LISTEN');
}

export function rssBytes(pid: number | 'self' = 'self'): number | null {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie still answers kill(0); it is gone for our purposes.
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
}

/** Direct and indirect children of `pid`, from /proc/<pid>/task/<tid>/children. */
export function descendantPids(pid: number = process.pid): number[] {
  const out: number[] = [];
  const stack = [pid];
  while (stack.length) {
    const current = stack.pop()!;
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${current}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        for (const child of readFileSync(`/proc/${current}/task/${tid}/children`, 'utf8').trim().split(/\s+/)) {
          if (child) {
            out.push(Number(child));
            stack.push(Number(child));
          }
        }
      } catch {
        /* thread ended */
      }
    }
  }
  return out;
}
