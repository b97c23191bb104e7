import { describe, expect, it } from 'vitest';
import { levelOf, percentile, rssGrowth, THRESHOLDS } from '../../renderer/src/thresholds';
import { summaryOf, wordsOf, figureFormat } from '../../renderer/src/figure-labels';

const sample = (rssBytes: number | null, latencyMs: number | null = null) => ({
  at: 0,
  rssBytes,
  cpuPercent: null,
  latencyMs,
  openSockets: null,
});

describe('thresholds', () => {
  it('p95 by nearest rank, ignoring gaps', () => {
    expect(percentile([...Array.from({ length: 100 }, (_, i) => i + 1), null], 95)).toBe(95);
    expect(percentile([null], 95)).toBeNull();
    expect(levelOf(percentile([10, 20, 600], 95), THRESHOLDS.p95LatencyMs)).toBe('warn');
    expect(levelOf(2500, THRESHOLDS.p95LatencyMs)).toBe('alert');
  });

  it('RSS growth over the window turns amber at +25 % and red at +50 %', () => {
    expect(rssGrowth([sample(100), sample(null), sample(130)])).toBeCloseTo(0.3);
    expect(levelOf(rssGrowth([sample(100), sample(130)]), THRESHOLDS.rssGrowth)).toBe('warn');
    expect(levelOf(rssGrowth([sample(100), sample(160)]), THRESHOLDS.rssGrowth)).toBe('alert');
    expect(levelOf(rssGrowth([sample(100)]), THRESHOLDS.rssGrowth)).toBe('ok');
  });
});

describe('figure labels', () => {
  it('reads raw keys as words and formats with units', () => {
    expect(wordsOf('cleanupsTimedOut')).toBe('Cleanups timed out');
    expect(figureFormat('uptimeMs')).toMatchObject({ label: 'Running for' });
    expect(figureFormat('uptimeMs').format(62_477)).toBe('1 min 2 s');
    expect(figureFormat('costAllTimeUsd').format(0.5)).toBe('$0.50');
    expect(figureFormat('pid').label).toBe('Process id');
  });

  it('sums a provider up in one line, naming what it waits for', () => {
    const line = summaryOf({
      id: 'local-processor',
      kind: 'local',
      phase: 'processors',
      status: 'degraded',
      checkedAt: '',
      dependsOnDown: 'ollama-client',
      resources: { inFlight: 0 },
    });
    expect(line).toBe('waiting for Ollama connection · 0 in progress');
  });
});
