import type { ProviderPhase } from './health';

/** The coordinator's steps, in order (electron/host/lifecycle/shutdown-coordinator.ts). */
export const SHUTDOWN_STEPS = ['stop-accepting', 'drain', 'processors', 'clients', 'stores', 'resources', 'report', 'exit'] as const;
export type ShutdownStep = (typeof SHUTDOWN_STEPS)[number];

export type CloseOutcome = 'ok' | 'failed' | 'timed-out' | 'no-method';

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

export interface ShutdownProviderRecord {
  id: string;
  kind: string;
  step: ProviderPhase;
  method: 'cleanup' | 'shutdown' | 'none';
  outcome: CloseOutcome;
  ms: number;
  error?: string;
}

/** Written at the end of every shutdown and shown at the next start (same fields as the host's report file). */
export interface ShutdownReport {
  version: 1;
  reason: string;
  startedAt: string;
  endedAt: string;
  ms: number;
  drain: { completed: number; aborted: number; abandoned: number; ms: number };
  providers: ShutdownProviderRecord[];
  totals: { providers: number; ok: number; failed: number; timedOut: number; noMethod: number };
  deadlineMs: number;
  deadlineExceeded: boolean;
  exitCode: 0 | 1;
}

/** The last report, or why it could not be read, or null on a first start. */
export type LastShutdownReport = { report: ShutdownReport } | { problem: string } | null;
