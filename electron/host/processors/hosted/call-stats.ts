/** How many recent call latencies the percentiles are taken over. */
const WINDOW = 200;

/**
 * Bedrock's calls as a designer reads them: p50/p95 latency of the recent calls that got through, throttles,
 * and failures counted by type (the BedrockError code). Aborted calls (stopped by the designer) are not errors.
 */
export class CallStats {
  private readonly latencies: number[] = [];
  private readonly errors = new Map<string, number>();

  add(code: string | null, latencyMs: number): void {
    if (code === 'aborted') return;
    if (code === null) {
      this.latencies.push(latencyMs);
      if (this.latencies.length > WINDOW) this.latencies.shift();
      return;
    }
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  figures(): { latencyP50Ms: number | null; latencyP95Ms: number | null; throttles: number; errorsByType: Record<string, number> } {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const at = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : null);
    return {
      latencyP50Ms: at(50),
      latencyP95Ms: at(95),
      throttles: this.errors.get('throttled') ?? 0,
      errorsByType: Object.fromEntries(this.errors),
    };
  }
}
