import { rename } from 'node:fs/promises';
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
  /** Where read() found an unreadable report will be kept once this run writes its own. */
  private keepAside: string | null = null;

  constructor(userDataDir: string) {
    this.file = join(userDataDir, SHUTDOWN_REPORT_FILE);
  }

  async write(report: ShutdownReport): Promise<void> {
    const checked = shutdownReportSchema.parse(report);
    // A damaged report is the designer's evidence of what went wrong: moved aside, never overwritten.
    if (this.keepAside) {
      await rename(this.file, this.keepAside).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
      this.keepAside = null;
    }
    await writeJsonAtomic(this.file, checked);
  }

  /** The last run's report; a damaged file is described, kept, and never thrown at start-up. */
  async read(): Promise<LastReport> {
    try {
      const report = await readJsonFile(this.file, shutdownReportSchema);
      return report ? { report } : null;
    } catch (err) {
      if (err instanceof FileProblem) {
        this.keepAside = `${this.file}.unreadable-${Date.now()}`;
        return { problem: `${err.message} (kept; moved to ${this.keepAside} when this run writes its report)` };
      }
      throw err;
    }
  }
}
