import type { CloseRecord } from './close-provider';

/** Running totals of every close the registry has done, for the resources panel and the log. */
export interface CleanupCounters {
  total: number;
  ok: number;
  failed: number;
  timedOut: number;
  noMethod: number;
}

export function emptyCounters(): CleanupCounters {
  return { total: 0, ok: 0, failed: 0, timedOut: 0, noMethod: 0 };
}

export function countRecords(records: readonly CloseRecord[], into: CleanupCounters = emptyCounters()): CleanupCounters {
  for (const r of records) {
    into.total++;
    if (r.outcome === 'ok') into.ok++;
    else if (r.outcome === 'failed') into.failed++;
    else if (r.outcome === 'timed-out') into.timedOut++;
    else into.noMethod++;
  }
  return into;
}
