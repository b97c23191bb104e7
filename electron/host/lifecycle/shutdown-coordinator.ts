import { EventEmitter } from 'node:events';
import type { ProviderPhase } from '../../../shared/health';
import type { DrainResult, ShutdownReport, ShutdownStep } from '../../../shared/shutdown';
import type { Logger } from '../log/logger';
import { countRecords } from './cleanup-counters';
import type { CloseRecord } from './close-provider';
import type { ProviderRegistry } from './provider-registry';
import type { ShutdownReportStore } from './shutdown-report';
import { errorMessage } from '../../../shared/errors';

/** The coordinator's own progress events; ipc/shutdown-progress.ts turns them into the wire's ShutdownProgress. */
export type CoordinatorProgress =
  | { type: 'step'; step: ShutdownStep; providers?: string[] }
  | { type: 'provider'; step: ProviderPhase; record: CloseRecord }
  | { type: 'done'; exitCode: 0 | 1; ms: number };

/** What the coordinator needs from the engine: steps 1 and 2. */
export interface Intake {
  stopAccepting(): void;
  drain(deadlineMs: number): Promise<DrainResult>;
}

export interface CoordinatorOptions {
  registry: ProviderRegistry;
  intake: Intake;
  logger: Logger;
  reports: ShutdownReportStore;
  /** The last step: closes the log file (every line is already written). */
  flushLogs: () => Promise<void>;
  /** Bound on the whole shutdown (default 5 s). */
  deadlineMs?: number;
  /** How long in-flight work may run on before it is aborted (default 2 s, never past the deadline). */
  drainMs?: number;
}

export interface RunOptions {
  /** Forces a non-zero exit, e.g. after an uncaught exception. */
  failed?: boolean;
}

/** One path out: every way of quitting calls run(); every caller gets the same run. */
export class ShutdownCoordinator {
  readonly events = new EventEmitter<{ progress: [CoordinatorProgress] }>();
  private running: Promise<ShutdownReport> | null = null;
  /** Bound on the whole shutdown. */
  readonly deadlineMs: number;
  private readonly drainMs: number;

  constructor(private readonly options: CoordinatorOptions) {
    this.deadlineMs = options.deadlineMs ?? 5000;
    this.drainMs = options.drainMs ?? 2000;
  }

  get isRunning(): boolean {
    return this.running !== null;
  }

  run(reason: string, runOptions: RunOptions = {}): Promise<ShutdownReport> {
    this.running ??= this.execute(reason, runOptions);
    return this.running;
  }

  private emit(progress: CoordinatorProgress): void {
    try {
      this.events.emit('progress', progress);
    } catch (err) {
      this.options.logger.warn(`A shutdown progress listener threw: ${errorMessage(err)}`);
    }
  }

  private async execute(reason: string, runOptions: RunOptions): Promise<ShutdownReport> {
    const { registry, intake, logger } = this.options;
    const startedAt = new Date();
    const t0 = performance.now();
    // The deadline is fixed before any work starts: the work itself may block.
    const deadlineAt = t0 + this.deadlineMs;
    logger.info({ reason }, `Shutting down (${reason}); deadline ${this.deadlineMs} ms`);

    this.emit({ type: 'step', step: 'stop-accepting' });
    intake.stopAccepting();

    this.emit({ type: 'step', step: 'drain' });
    const drain = await intake.drain(Math.min(this.drainMs, Math.max(0, deadlineAt - performance.now())));

    const summary = await registry.stop({
      deadlineAt,
      onPhaseStart: (phase, providers) => this.emit({ type: 'step', step: phase, providers: providers.map((p) => p.id) }),
      onRecord: (record) => this.emit({ type: 'provider', step: record.step, record }),
    });

    this.emit({ type: 'step', step: 'report' });
    const counts = countRecords(summary.records);
    const deadlineExceeded = performance.now() > deadlineAt || summary.records.some((r) => r.outcome === 'timed-out');
    const clean = counts.failed === 0 && counts.timedOut === 0 && !runOptions.failed && drain.abandoned === 0;
    const ms = Math.round(performance.now() - t0);
    const report: ShutdownReport = {
      version: 1,
      reason,
      startedAt: startedAt.toISOString(),
      endedAt: new Date().toISOString(),
      ms,
      drain,
      providers: summary.records.map(({ id, kind, step, method, outcome, ms: took, error }) => ({
        id,
        kind,
        step,
        method,
        outcome,
        ms: took,
        ...(error ? { error } : {}),
      })),
      totals: { providers: counts.total, ok: counts.ok, failed: counts.failed, timedOut: counts.timedOut, noMethod: counts.noMethod },
      deadlineMs: this.deadlineMs,
      deadlineExceeded,
      exitCode: clean ? 0 : 1,
    };
    try {
      await this.options.reports.write(report);
    } catch (err) {
      report.exitCode = 1;
      logger.error(`Could not write the shutdown report to ${this.options.reports.file}: ${errorMessage(err)}`);
    }
    const summaryLine =
      `Shutdown finished in ${ms} ms: ${counts.ok} ok, ${counts.failed} failed, ${counts.timedOut} timed out, ` +
      `${counts.noMethod} without a close method; exit code ${report.exitCode}`;
    if (report.exitCode === 0) logger.info({ report: this.options.reports.file }, summaryLine);
    else logger.error({ report: this.options.reports.file }, summaryLine);
    await this.options.flushLogs();
    this.emit({ type: 'step', step: 'exit' });
    this.emit({ type: 'done', exitCode: report.exitCode, ms });
    return report;
  }
}
