import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runFileSchema, runIdSchema, type RunFile, type RunSummary } from '../../../shared/suite';
import { FileProblem, readJsonFile, writeJsonAtomic } from '../fs/json-file';
import type { Logger } from '../log/logger';
import { RunNotFoundError } from './suite-errors';

/** Run ids sort by time: `r-<ISO time without punctuation>-<random>`. */
export function newRunId(now = new Date()): string {
  return `r-${now.toISOString().replace(/[-:.]/g, '')}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Test runs as files, <dir>/<npcId>/<runId>.json, written atomically (a run in progress is rewritten as it goes).
 * A damaged run file is skipped in the history (and logged), never deleted.
 */
export class RunStore {
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    readonly dir: string,
    private readonly log: Logger,
  ) {}

  save(run: RunFile): Promise<void> {
    const work = (async () => {
      const folder = join(this.dir, run.npcId);
      await mkdir(folder, { recursive: true });
      await writeJsonAtomic(join(folder, `${run.id}.json`), runFileSchema.parse(run));
    })();
    this.pending.add(work);
    const done = () => this.pending.delete(work);
    void work.then(done, done);
    return work;
  }

  async get(npcId: string, runId: string): Promise<RunFile> {
    if (!runIdSchema.safeParse(runId).success) throw new RunNotFoundError(runId);
    const run = await readJsonFile(join(this.dir, npcId, `${runId}.json`), runFileSchema);
    if (!run) throw new RunNotFoundError(runId);
    return run;
  }

  /** The NPC's runs, newest first. */
  async list(npcId: string): Promise<RunSummary[]> {
    const folder = join(this.dir, npcId);
    const names = await readdir(folder).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? [] : Promise.reject(err)));
    const runs: RunSummary[] = [];
    for (const name of names
      .filter((n) => n.endsWith('.json'))
      .sort()
      .reverse()) {
      try {
        const run = await readJsonFile(join(folder, name), runFileSchema);
        if (run)
          runs.push({
            id: run.id,
            npcId: run.npcId,
            startedAt: run.startedAt,
            state: run.state,
            backends: run.backends,
            planned: run.planned,
            totals: run.totals,
          });
      } catch (err) {
        if (!(err instanceof FileProblem)) throw err;
        this.log.warn({ file: err.file }, `Test run file skipped in the history: ${err.message}`);
      }
    }
    return runs;
  }

  /** Waits for every write in progress. */
  async flush(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }
}
