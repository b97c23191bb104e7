import type { DrainResult } from '../../../shared/shutdown';
import type { Logger } from '../log/logger';
import { ShuttingDownError } from './errors';

export interface InFlightWork {
  readonly id: number;
  readonly label: string;
  readonly signal: AbortSignal;
  readonly startedAt: number;
}

interface Entry extends InFlightWork {
  controller: AbortController;
  settled: Promise<void>;
}

export interface ExecutionEngineOptions {
  logger: Logger;
  /** How long aborted work may take to save what it has (e.g. a partial reply) before it is abandoned. */
  abortGraceMs?: number;
}

/**
 * Admits work only while accepting, gives each piece an AbortSignal, and drains it at shutdown:
 * wait until the deadline, then abort what is left. `stop()` hands over to the shutdown coordinator.
 */
export class ExecutionEngine {
  private readonly inFlight = new Map<number, Entry>();
  private nextId = 1;
  private accepting = true;
  private readonly logger: Logger;
  private readonly abortGraceMs: number;

  constructor(options: ExecutionEngineOptions) {
    this.logger = options.logger;
    this.abortGraceMs = options.abortGraceMs ?? 500;
  }

  get isAccepting(): boolean {
    return this.accepting;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  list(): InFlightWork[] {
    return [...this.inFlight.values()].map(({ id, label, signal, startedAt }) => ({ id, label, signal, startedAt }));
  }

  /** Runs `work` as tracked in-flight work; throws ShuttingDownError once shutdown has begun. */
  run<T>(label: string, work: (signal: AbortSignal) => Promise<T>, parentSignal?: AbortSignal): Promise<T> {
    if (!this.accepting) return Promise.reject(new ShuttingDownError(label));
    const controller = new AbortController();
    const onParentAbort = () => controller.abort(parentSignal?.reason);
    if (parentSignal?.aborted) controller.abort(parentSignal.reason);
    else parentSignal?.addEventListener('abort', onParentAbort, { once: true });
    const id = this.nextId++;
    let result: Promise<T>;
    try {
      result = Promise.resolve(work(controller.signal));
    } catch (err) {
      result = Promise.reject(err);
    }
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.set(id, { id, label, controller, signal: controller.signal, startedAt: Date.now(), settled });
    void settled.then(() => {
      this.inFlight.delete(id);
      parentSignal?.removeEventListener('abort', onParentAbort);
    });
    return result;
  }

  /** Step 1 of shutdown: refuse anything new. */
  stopAccepting(): void {
    if (this.accepting) this.logger.info('No longer accepting new requests');
    this.accepting = false;
  }

  /** Step 2 of shutdown: let in-flight work finish until `deadlineMs`, then abort what is left. */
  async drain(deadlineMs: number): Promise<DrainResult> {
    const started = performance.now();
    const initial = [...this.inFlight.values()];
    if (initial.length > 0) this.logger.info(`Draining ${initial.length} in-flight request(s) for up to ${deadlineMs} ms`);
    await settleWithin(
      initial.map((e) => e.settled),
      deadlineMs,
    );
    const left = [...this.inFlight.values()];
    for (const entry of left) entry.controller.abort(new DOMException(`${entry.label} aborted: shutdown drain deadline`, 'AbortError'));
    if (left.length > 0) {
      this.logger.warn(`Aborted ${left.length} request(s) still running at the drain deadline`);
      await settleWithin(
        left.map((e) => e.settled),
        this.abortGraceMs,
      );
    }
    const abandoned = left.filter((e) => this.inFlight.has(e.id)).length;
    return { completed: initial.length - left.length, aborted: left.length, abandoned, ms: Math.round(performance.now() - started) };
  }
}

async function settleWithin(promises: Promise<void>[], ms: number): Promise<void> {
  if (promises.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(promises), new Promise<void>((r) => (timer = setTimeout(r, Math.max(0, ms))))]);
  clearTimeout(timer);
}
