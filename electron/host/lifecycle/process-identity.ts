import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pidAlive } from '../resources/proc';

/**
 * When a process started, as an opaque string that tells two processes with the same pid apart (a pid
 * reused after a crash or a reboot). Linux: boot id + start time in clock ticks (/proc); macOS and the
 * BSDs: `ps -o lstart=`; Windows: null (the OS tells no start time without a slow WMI query), so there a
 * live pid counts as the holder.
 */
export function processStartId(pid: number, platform: NodeJS.Platform = process.platform): string | null {
  if (platform === 'win32') return null;
  if (platform === 'linux') return linuxStartId(pid);
  try {
    const out = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], {
      encoding: 'utf8',
      timeout: 2000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.trim() || null;
  } catch {
    return null;
  }
}

function linuxStartId(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = fields[19]; // field 22, starttime
    let boot = '';
    try {
      boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      /* no boot id: the ticks alone still tell processes of one boot apart */
    }
    return ticks ? `${boot}:${ticks}` : null;
  } catch {
    return null;
  }
}

export type Liveness = { alive: true } | { alive: false; why: string };

/** Whether the process `pid` that started at `startId` (null when unknown) still runs on this host. */
export function processLiveness(pid: number, startId: string | null): Liveness {
  if (!pidAlive(pid)) return { alive: false, why: `its process ${pid} has ended` };
  if (startId === null) return { alive: true };
  const now = processStartId(pid);
  if (now === null || now === startId) return { alive: true };
  return { alive: false, why: `pid ${pid} now belongs to another process` };
}
