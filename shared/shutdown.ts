import { z } from 'zod';
import { CLOSE_PHASES } from './health';

/** The coordinator's steps, in order (electron/host/lifecycle/shutdown-coordinator.ts). */
export const SHUTDOWN_STEPS = ['stop-accepting', 'drain', ...CLOSE_PHASES, 'report', 'exit'] as const;
export type ShutdownStep = (typeof SHUTDOWN_STEPS)[number];

/** How a provider was closed: cleanup() if it has one, else shutdown(), else nothing to call. */
export const CLOSE_METHODS = ['cleanup', 'shutdown', 'none'] as const;
export type CloseMethod = (typeof CLOSE_METHODS)[number];

export const CLOSE_OUTCOMES = ['ok', 'failed', 'timed-out', 'no-method'] as const;
export type CloseOutcome = (typeof CLOSE_OUTCOMES)[number];

/**
 * One shutdown event, as each step starts and each provider finishes:
 *   step start       { step, outcome: 'started', providers? }   (providers closing in that step)
 *   provider closed  { step, providerId, outcome, ms, error? }
 *   last event       { step: 'exit', done: true, exitCode, ms }  (the host exits next)
 */
export interface ShutdownProgress {
  step: ShutdownStep;
  providerId?: string;
  outcome?: 'started' | CloseOutcome;
  providers?: string[];
  ms?: number;
  error?: string;
  done?: boolean;
  exitCode?: number;
}

/** Step 2, drain: what became of the work in flight when the shutdown began. */
export const drainResultSchema = z.object({
  /** Work that finished on its own before the drain deadline. */
  completed: z.number(),
  /** Work aborted at the deadline. */
  aborted: z.number(),
  /** Aborted work that had still not settled after the abort grace. */
  abandoned: z.number(),
  ms: z.number(),
});

/** How one provider's close went. */
export const shutdownProviderRecordSchema = z.object({
  id: z.string(),
  kind: z.string(),
  step: z.enum(CLOSE_PHASES),
  method: z.enum(CLOSE_METHODS),
  outcome: z.enum(CLOSE_OUTCOMES),
  ms: z.number(),
  error: z.string().optional(),
});

/** Written to shutdown-report.json at the end of every shutdown and shown at the next start. */
export const shutdownReportSchema = z.object({
  version: z.literal(1),
  reason: z.string(),
  startedAt: z.string(),
  endedAt: z.string(),
  ms: z.number(),
  drain: drainResultSchema,
  providers: z.array(shutdownProviderRecordSchema),
  totals: z.object({ providers: z.number(), ok: z.number(), failed: z.number(), timedOut: z.number(), noMethod: z.number() }),
  deadlineMs: z.number(),
  deadlineExceeded: z.boolean(),
  exitCode: z.union([z.literal(0), z.literal(1)]),
});

export type DrainResult = z.output<typeof drainResultSchema>;
export type ShutdownProviderRecord = z.output<typeof shutdownProviderRecordSchema>;
export type ShutdownReport = z.output<typeof shutdownReportSchema>;

/** The previous run left its run marker behind: it was killed or crashed before writing a report. */
export interface UncleanExit {
  /** "NPC Studio ended without a clean shutdown at about T", T in the host's local time. */
  message: string;
  /** ISO time: that run's last log line, or its run marker's time when the log has none. */
  endedAbout: string;
  from: 'log' | 'marker';
  pid: number;
  startedAt: string;
}

/** The last report, or why it could not be read, or that the last run ended without one; null on a first start. */
export type LastShutdownReport = { report: ShutdownReport } | { problem: string } | { unclean: UncleanExit } | null;
