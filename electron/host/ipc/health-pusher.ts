import type { HealthSnapshot } from '../../../shared/health';

export interface HealthPusherOptions {
  collect: () => Promise<HealthSnapshot>;
  push: (snapshot: HealthSnapshot) => void;
  intervalMs: number;
  onError?: (err: unknown) => void;
}

/**
 * Collects health and pushes it on a fixed beat while someone listens. The first snapshot goes out
 * at once; a slow collection is never overlapped by the next (that beat is skipped). The timer is
 * unref'd, so it never keeps the process alive.
 */
export class HealthPusher {
  private timer: NodeJS.Timeout | null = null;
  private collecting = false;
  private closed = false;

  constructor(private readonly options: HealthPusherOptions) {}

  get running(): boolean {
    return this.timer !== null;
  }

  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
    void this.tick();
  }

  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
  }

  close(): void {
    this.closed = true;
    this.stop();
  }

  private async tick(): Promise<void> {
    if (this.collecting) return;
    this.collecting = true;
    try {
      const snapshot = await this.options.collect();
      if (this.timer) this.options.push(snapshot);
    } catch (err) {
      this.options.onError?.(err);
    } finally {
      this.collecting = false;
    }
  }
}
