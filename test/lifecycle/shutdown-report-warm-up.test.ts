import { afterEach, describe, expect, it, vi } from 'vitest';
import { ShutdownReportStore } from '../../electron/host/lifecycle/shutdown-report';
import { shutdownReportSchema } from '../../shared/shutdown';

afterEach(() => vi.restoreAllMocks());

describe('ShutdownReportStore warms the report schema at start', () => {
  it('parses a full sample report when created, so the shutdown does not pay zod’s first-parse compile', () => {
    const parse = vi.spyOn(shutdownReportSchema, 'parse');
    new ShutdownReportStore('/nonexistent-data-folder');
    expect(parse).toHaveBeenCalledTimes(1);
    const sample = parse.mock.calls[0]![0] as { providers: Array<{ error?: string }> };
    // Every nested part (drain, a provider record with its optional error, totals) is visited by that parse.
    expect(sample.providers[0]?.error).toBeTypeOf('string');
    expect(parse.mock.results[0]?.type).toBe('return');
  });
});
