import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Health } from '../../../shared/health';
import { npcIdSchema } from '../../../shared/ids';
import { suiteSchema, type Suite, type SuiteFileProblem } from '../../../shared/suite';
import { FileProblem, formatZodPath, parseJsonText, readJsonFile, writeJsonAtomic } from '../fs/json-file';
import { healthNow, type Provider } from '../lifecycle/provider';
import type { Logger } from '../log/logger';
import { StoreClosedError } from '../npc/npc-errors';
import { RunStore } from './run-store';
import { SuiteValidationError } from './suite-errors';

export interface SuiteStoreOptions {
  /** <user-data>/suites: one <npcId>.json per NPC; runs under runs/<npcId>/. */
  dir: string;
  logger: Logger;
}

/** Checks a suite from anywhere (IPC, a CHARX, a file); the error names the first field at fault. */
export function parseSuite(value: unknown, file?: string): Suite {
  const parsed = suiteSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new SuiteValidationError(formatZodPath(issue.path) || '(root)', issue.message, file);
}

/** Parses suite JSON text (a file's content); the error names the file, the field and why. */
export function parseSuiteText(text: string, file: string): Suite {
  try {
    return parseJsonText(file, text, suiteSchema);
  } catch (err) {
    if (err instanceof FileProblem) throw new SuiteValidationError(err.fieldPath ?? '(file)', err.reason, file);
    throw err;
  }
}

/**
 * One test suite per NPC, one JSON file each, written atomically. A file that does not validate is listed in
 * problems() (file and field path), kept as it is, and never overwritten: save() refuses its NPC until it is fixed.
 */
export class SuiteStore implements Provider {
  readonly id = 'suite-store';
  readonly kind = 'suite-store';
  readonly phase = 'stores' as const;
  readonly runs: RunStore;
  private suites: Map<string, Suite> | null = null;
  private readonly invalid = new Map<string, SuiteFileProblem>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly log: Logger;

  constructor(private readonly options: SuiteStoreOptions) {
    this.log = options.logger.child({ module: 'suite-store' });
    this.runs = new RunStore(join(options.dir, 'runs'), this.log);
  }

  get dir(): string {
    return this.options.dir;
  }

  async initialize(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const suites = new Map<string, Suite>();
    this.invalid.clear();
    for (const name of (await readdir(this.dir)).filter((n) => n.endsWith('.json')).sort()) {
      const npcId = name.slice(0, -'.json'.length);
      const file = join(this.dir, name);
      const problem = await this.loadOne(file, npcId, suites);
      if (problem) {
        this.invalid.set(npcId, problem);
        this.log.warn({ file, fieldPath: problem.fieldPath }, `Test suite kept but not loaded: ${problem.reason}`);
      }
    }
    this.suites = suites;
    this.log.info({ suites: suites.size, invalid: this.invalid.size }, 'Suite store opened');
  }

  private async loadOne(file: string, npcId: string, into: Map<string, Suite>): Promise<SuiteFileProblem | null> {
    if (!npcIdSchema.safeParse(npcId).success) return { file, npcId, reason: 'the file name is not a valid NPC id' };
    try {
      const suite = (await readJsonFile(file, suiteSchema))!;
      if (suite.npcId !== npcId) return { file, npcId, fieldPath: 'npcId', reason: `"${suite.npcId}" does not match the file name` };
      into.set(npcId, suite);
      return null;
    } catch (err) {
      if (err instanceof FileProblem) return { file, npcId, fieldPath: err.fieldPath, reason: err.reason };
      throw err;
    }
  }

  /** The NPC's suite, or null when it has none. Throws SuiteValidationError when its file is damaged. */
  get(npcId: string): Suite | null {
    const problem = this.invalid.get(npcId);
    if (problem)
      throw new SuiteValidationError(
        problem.fieldPath ?? '(file)',
        `${problem.reason}; the file is kept as it is, fix it by hand`,
        problem.file,
      );
    const suite = this.open().get(npcId);
    return suite ? structuredClone(suite) : null;
  }

  list(): { npcId: string; cases: number }[] {
    return [...this.open().values()].map((s) => ({ npcId: s.npcId, cases: s.cases.length })).sort((a, b) => a.npcId.localeCompare(b.npcId));
  }

  problems(): SuiteFileProblem[] {
    return [...this.invalid.values()].map((p) => ({ ...p }));
  }

  /** Validates and writes the suite (atomically); SuiteValidationError names the field at fault. */
  save(value: unknown): Promise<Suite> {
    return this.track(
      (async () => {
        const suites = this.open();
        const suite = parseSuite(value);
        const problem = this.invalid.get(suite.npcId);
        if (problem) {
          throw new SuiteValidationError(
            '(file)',
            `${problem.file} failed validation (${problem.fieldPath ?? ''} ${problem.reason}) and is kept; fix or move it by hand first`,
          );
        }
        await writeJsonAtomic(this.fileOf(suite.npcId), suite);
        suites.set(suite.npcId, suite);
        return structuredClone(suite);
      })(),
    );
  }

  async cleanup(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
    await this.runs.flush();
    this.suites = null;
  }

  async healthCheck(): Promise<Health> {
    const resources = { suites: this.suites?.size ?? 0, invalidFiles: this.invalid.size, inFlight: this.pending.size };
    if (!this.suites) return healthNow('stopped', resources);
    if (this.invalid.size) {
      const first = [...this.invalid.values()][0]!;
      return healthNow('degraded', resources, {
        lastError: `${this.invalid.size} suite file(s) failed validation, e.g. ${first.file}: ${first.fieldPath ?? ''} ${first.reason}`,
      });
    }
    return healthNow('healthy', resources);
  }

  private fileOf(npcId: string): string {
    return join(this.dir, `${npcId}.json`);
  }

  private open(): Map<string, Suite> {
    if (!this.suites) throw new StoreClosedError('the suite store');
    return this.suites;
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.pending.add(work);
    const done = () => this.pending.delete(work);
    void work.then(done, done);
    return work;
  }
}
