import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { descendantPids } from '../../../electron/host/resources/proc';

export interface Listener {
  pid: number;
  /** "127.0.0.1:5173", "0.0.0.0:8000", "[::]:8000" ... */
  address: string;
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

function ipv4(hex: string): string {
  return [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
}

function ipv6(hex: string): string {
  const words: string[] = [];
  for (let i = 0; i < 4; i++) {
    const group = hex
      .slice(i * 8, i * 8 + 8)
      .match(/../g)!
      .reverse()
      .join('');
    words.push(group.slice(0, 4), group.slice(4));
  }
  return words.map((w) => parseInt(w, 16).toString(16)).join(':');
}

/** Every listening TCP socket (IPv4 and IPv6) held by `pid` or any of its descendants. */
export function tcpListeners(pid: number): Listener[] {
  const owner = new Map<string, number>();
  for (const p of [pid, ...descendantPids(pid)]) for (const inode of socketInodes(p)) owner.set(inode, p);
  const found: Listener[] = [];
  for (const [file, v6] of [
    ['/proc/net/tcp', false],
    ['/proc/net/tcp6', true],
  ] as const) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== '0A') continue;
      const p = owner.get(cols[9]!);
      if (p === undefined) continue;
      const [host, port] = cols[1]!.split(':') as [string, string];
      found.push({ pid: p, address: v6 ? `[${ipv6(host)}]:${parseInt(port, 16)}` : `${ipv4(host)}:${parseInt(port, 16)}` });
    }
  }
  return found;
}
