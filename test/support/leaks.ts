import { descendantPids, fdCounts } from '../../electron/host/resources/proc';

/** What this process holds: compare a snapshot taken before with one taken after. */
export interface ResourceSnapshot {
  fds: number;
  sockets: number;
  files: number;
  children: number[];
  activeResources: string[];
}

export function snapshotResources(): ResourceSnapshot {
  const fds = fdCounts();
  if (!fds) throw new Error('/proc/self/fd is not readable: leak checks need Linux');
  return {
    fds: fds.total,
    sockets: fds.sockets,
    files: fds.files,
    children: descendantPids(),
    activeResources: process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap'),
  };
}

/** Polls until `check` holds or `ms` passes (sockets close asynchronously); returns the last value. */
export async function eventually<T>(probe: () => T | Promise<T>, check: (v: T) => boolean, ms = 2000, every = 20): Promise<T> {
  const end = Date.now() + ms;
  let value = await probe();
  while (!check(value) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, every));
    value = await probe();
  }
  return value;
}
