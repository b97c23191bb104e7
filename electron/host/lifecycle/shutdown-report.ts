import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { shutdownReportSchema, type LastShutdownReport, type ShutdownReport } from '../../../shared/shutdown';
import { FileProblem, readJsonFile, writeJsonAtomicSync } from '../fs/json-file';

export const SHUTDOWN_REPORT_FILE = 'shutdown-report.json';

/** Shaped like a real report (a provider record with an error), so its parse goes through every part of the schema. */
const WARM_UP_REPORT: ShutdownReport = {
  version: 1,
  reason: 'warm-up',
  startedAt: new Date(0).toISOString(),
  endedAt: new Date(0).toISOString(),
  ms: 0,
  drain: { completed: 0, aborted: 0, abandoned: 0, ms: 0 },
  providers: [{ id: 'warm-up', kind: 'store', step: 'stores', method: 'cleanup', outcome: 'ok', ms: 0, error: 'none' }],
  totals: { providers: 1, ok: 1, failed: 0, timedOut: 0, noMethod: 0 },
  deadlineMs: 0,
  deadlineExceeded: false,
  exitCode: 0,
};

/** The report of the previous run lives in the user-data folder; writes are atomic. */
export class ShutdownReportStore {
  readonly file: string;
  /** Where read() found an unreadable report will be kept once this run writes its own. */
  private keepAside: string | null = null;

  constructor(userDataDir: string) {
    this.file = join(userDataDir, SHUTDOWN_REPORT_FILE);
    // zod compiles a schema's checks on its first parse (~3 ms): paid here, at start, not in the shutdown's report step.
    shutdownReportSchema.parse(WARM_UP_REPORT);
  }

  /** Blocking underneath (it is the shutdown's last write; see writeJsonAtomicSync); rejects on failure. */
  async write(report: ShutdownReport): Promise<void> {
    const checked = shutdownReportSchema.parse(report);
    // A damaged report is the designer's evidence of what went wrong: moved aside, never overwritten.
    if (this.keepAside) {
      try {
        renameSync(this.file, this.keepAside);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      this.keepAside = null;
    }
    writeJsonAtomicSync(this.file, checked);
  }

  /** The last run's report; a damaged file is described, kept, and never thrown at start-up. */
  async read(): Promise<LastShutdownReport> {
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
