import { describe, expect, it } from 'vitest';
import { CallStats } from '../../../electron/host/processors/hosted/call-stats';

describe('CallStats', () => {
  it('p50/p95 of calls that got through, throttles and errors by type; a stop is not an error', () => {
    const stats = new CallStats();
    for (let ms = 1; ms <= 100; ms++) stats.add(null, ms);
    stats.add('throttled', 5);
    stats.add('throttled', 5);
    stats.add('timeout', 30_000);
    stats.add('aborted', 2);
    expect(stats.figures()).toEqual({ latencyP50Ms: 50, latencyP95Ms: 95, throttles: 2, errorsByType: { throttled: 2, timeout: 1 } });
  });

  it('reads null before any call', () => {
    expect(new CallStats().figures()).toMatchObject({ latencyP50Ms: null, latencyP95Ms: null, throttles: 0 });
  });
});
