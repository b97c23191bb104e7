import { join } from 'node:path';
import { z } from 'zod';
import { FileProblem, readJsonFile, writeJsonAtomic } from '../fs/json-file';
import { CLOSE_PHASES } from './provider';

export const SHUTDOWN_REPORT_FILE = 'shutdown-report.json';

const providerEntry = z.object({
  id: z.string(),
  kind: z.string(),
  step: z.enum(CLOSE_PHASES),
  method: z.enum(['cleanup', 'shutdown', 'none']),
  outcome: z.enum(['ok', 'failed', 'timed-out', 'no-method']),
  ms: z.number(),
  error: z.string().optional(),
});

export const shutdownReportSchema = z.object({
  version: z.literal(1),
  reason: z.string(),
  startedAt: z.string(),
  endedAt: z.string(),
  ms: z.number(),
  drain: z.object({ completed: z.number(), aborted: z.number(), abandoned: z.number(), ms: z.number() }),
  providers: z.array(providerEntry),
  totals: z.object({ providers: z.number(), ok: z.number(), failed: z.number(), timedOut: z.number(), noMethod: z.number() }),
  deadlineMs: z.number(),
  deadlineExceeded: z.boolean(),
  exitCode: z.union([z.literal(0), z.literal(1)]),
});

export type ShutdownReport = z.infer<typeof shutdownReportSchema>;
export type ShutdownReportEntry = z.infer<typeof providerEntry>;

export type LastReport = { report: ShutdownReport } | { problem: string } | null;

/** The report of the previous run lives in the user-data folder; writes are atomic. */
export class ShutdownReportStore {
  readonly file: string;

  constructor(userDataDir: string) {
    this.file = join(userDataDir, SHUTDOWN_REPORT_FILE);
  }

  async write(report: ShutdownReport): Promise<void> {
    await writeJsonAtomic(this.file, shutdownReportSchema.parse(report));
  }

  /** The last run's report; a damaged file is described, kept, and never thrown at start-up. */
  async read(): Promise<LastReport> {
    try {
      const report = await readJsonFile(this.file, shutdownReportSchema);
      return report ? { report } : null;
    } catch (err) {
      if (err instanceof FileProblem) return { problem: err.message };
      throw err;
    }
  }
}
