import type { ResourceSnapshot } from '../../support/leaks';

/** How a snapshot differs from the baseline; all zero/empty means "exactly back to the baseline". */
export interface ResourceDiff {
  fds: number;
  sockets: number;
  files: number;
  newChildren: number[];
  /** Active handles/requests by type, after minus before, only where they differ. */
  activeResources: Record<string, number>;
}

function countByType(list: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of list) m.set(r, (m.get(r) ?? 0) + 1);
  return m;
}

export function diffResources(baseline: ResourceSnapshot, now: ResourceSnapshot): ResourceDiff {
  const before = countByType(baseline.activeResources);
  const after = countByType(now.activeResources);
  const activeResources: Record<string, number> = {};
  for (const type of new Set([...before.keys(), ...after.keys()])) {
    const d = (after.get(type) ?? 0) - (before.get(type) ?? 0);
    if (d !== 0) activeResources[type] = d;
  }
  return {
    fds: now.fds - baseline.fds,
    sockets: now.sockets - baseline.sockets,
    files: now.files - baseline.files,
    newChildren: now.children.filter((pid) => !baseline.children.includes(pid)),
    activeResources,
  };
}

export function isBaseline(diff: ResourceDiff): boolean {
  return (
    diff.fds === 0 &&
    diff.sockets === 0 &&
    diff.files === 0 &&
    diff.newChildren.length === 0 &&
    Object.keys(diff.activeResources).length === 0
  );
}
