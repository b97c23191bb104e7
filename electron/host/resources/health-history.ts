import { HEALTH_HISTORY_MS, type HealthHistory, type HealthSample, type HealthSnapshot } from '../../../shared/health';

function numberOr(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * The charts' data: per provider, one sample per health check (1 Hz while the panel listens) for the last 15
 * minutes. A child's CPU share comes from the host's process tree, where it is measured.
 */
export class HealthHistoryRecorder {
  private readonly samples = new Map<string, HealthSample[]>();

  constructor(private readonly windowMs: number = HEALTH_HISTORY_MS) {}

  record(snapshot: HealthSnapshot, at: number = Date.now()): void {
    const processes = snapshot.find((p) => p.id === 'studio-host')?.resources.processes ?? [];
    const cpuOf = new Map(processes.map((p) => [p.pid, p.cpuPercent]));
    for (const p of snapshot) {
      const r = p.resources;
      const pid = numberOr(r.pid);
      const sample: HealthSample = {
        at,
        rssBytes: numberOr(r.rssBytes),
        cpuPercent: numberOr(r.cpuPercent) ?? (pid !== null ? (cpuOf.get(pid) ?? null) : null),
        latencyMs: numberOr(p.latencyMs),
        openSockets: numberOr(r.openSockets),
      };
      const list = this.samples.get(p.id) ?? [];
      list.push(sample);
      const from = at - this.windowMs;
      let drop = 0;
      while (drop < list.length && list[drop]!.at < from) drop++;
      if (drop) list.splice(0, drop);
      this.samples.set(p.id, list);
    }
  }

  history(): HealthHistory {
    return Object.fromEntries([...this.samples].map(([id, list]) => [id, [...list]]));
  }
}
