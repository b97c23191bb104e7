import type { HealthSample } from '../../shared/health';

export type Level = 'ok' | 'warn' | 'alert';

/** When a figure turns amber, then red. */
export const THRESHOLDS = {
  /** Memory growth over the charted window, as a share of where it started. */
  rssGrowth: { warn: 0.25, alert: 0.5 },
  /** 95th percentile of the charted latencies, ms. */
  p95LatencyMs: { warn: 500, alert: 2000 },
} as const;

/** The nearest-rank percentile of the numbers given (null if none). */
export function percentile(values: readonly (number | null)[], p: number): number | null {
  const sorted = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Growth of RSS from the first to the last sample of the window (null with fewer than two samples). */
export function rssGrowth(samples: readonly HealthSample[]): number | null {
  const rss = samples.map((s) => s.rssBytes).filter((v): v is number => v !== null && v > 0);
  if (rss.length < 2) return null;
  return (rss.at(-1)! - rss[0]!) / rss[0]!;
}

export function levelOf(value: number | null, limits: { warn: number; alert: number }): Level {
  if (value === null) return 'ok';
  return value >= limits.alert ? 'alert' : value >= limits.warn ? 'warn' : 'ok';
}
