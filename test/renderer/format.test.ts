import { describe, expect, it } from 'vitest';
import { formatAgo, formatBytes, formatClock, formatCount, formatMs, formatPercent, formatUsd } from '../../renderer/src/format';

describe('panel formatting', () => {
  it('sizes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(230.44 * 1024 * 1024)).toBe('230.4 MB');
    expect(formatBytes(2_019_393_189)).toBe('1.9 GB');
    expect(formatBytes(null)).toBe('unknown');
  });

  it('durations', () => {
    expect(formatMs(12.6)).toBe('13 ms');
    expect(formatMs(1234)).toBe('1.2 s');
    expect(formatMs(185_000)).toBe('3 min 5 s');
    expect(formatMs(120_000)).toBe('2 min');
    expect(formatMs(2 * 3600_000 + 4 * 60_000)).toBe('2 h 4 min');
    expect(formatMs(undefined)).toBe('unknown');
  });

  it('times relative to now', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(formatAgo('2026-01-01T11:57:00Z', now)).toBe('3 min ago');
    expect(formatAgo('2026-01-01T11:59:48Z', now)).toBe('12 sec ago');
    expect(formatAgo('2026-01-01T11:59:58Z', now)).toBe('just now');
    expect(formatAgo('2026-01-01T12:04:00Z', now)).toBe('in 4 min');
    expect(formatAgo('2026-01-01T09:00:00Z', now)).toBe('3 hr ago');
    expect(formatAgo(null, now)).toBe('never');
    expect(formatClock(new Date(2026, 0, 1, 14, 3, 12).getTime())).toBe('14:03:12');
  });

  it('shares, money and counts', () => {
    expect(formatPercent(2.46)).toBe('2.5 %');
    expect(formatUsd(0.01234)).toBe('$0.0123');
    expect(formatUsd(12.5)).toBe('$12.50');
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatCount(1234)).toBe('1,234');
  });
});
