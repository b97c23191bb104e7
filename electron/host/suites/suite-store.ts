import { join } from 'node:path';
import type { Health } from '../../../shared/health';
import { npcIdSchema } from '../../../shared/ids';
import { suiteSchema, type Suite, type SuiteFileProblem } from '../../../shared/suite';
import { FileProblem, formatZodPath, parseJsonText } from '../fs/json-file';
import { JsonRecordFolder, type RecordFileProblem } from '../fs/json-record-folder';
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
  private readonly folder: JsonRecordFolder<Suite>;
  private readonly log: Logger;

  constructor(private readonly options: SuiteStoreOptions) {
    this.log = options.logger.child({ module: 'suite-store' });
    this.runs = new RunStore(join(options.dir, 'runs'), this.log);
    this.folder = new JsonRecordFolder({
      dir: options.dir,
      schema: suiteSchema,
      idField: 'npcId',
      isValidId: (id) => npcIdSchema.safeParse(id).success,
      invalidIdReason: 'the file name is not a valid NPC id',
      logger: this.log,
      keptMessage: 'Test suite kept but not loaded',
      refusal: (_id, problem) =>
        new SuiteValidationError(
          '(file)',
          `${problem.file} failed validation (${problem.fieldPath ?? ''} ${problem.reason}) and is kept; fix or move it by hand first`,
        ),
      closed: () => new StoreClosedError('the suite store'),
    });
  }

  get dir(): string {
    return this.options.dir;
  }

  async initialize(): Promise<void> {
    const { loaded, invalid } = await this.folder.open();
    this.log.info({ suites: loaded, invalid }, 'Suite store opened');
  }

  /** The NPC's suite, or null when it has none. Throws SuiteValidationError when its file is damaged. */
  get(npcId: string): Suite | null {
    const problem = this.folder.problemOf(npcId);
    if (problem)
      throw new SuiteValidationError(
        problem.fieldPath ?? '(file)',
        `${problem.reason}; the file is kept as it is, fix it by hand`,
        problem.file,
      );
    const suite = this.folder.peek(npcId);
    return suite ? structuredClone(suite) : null;
  }

  list(): { npcId: string; cases: number }[] {
    return this.folder
      .values()
      .map((s) => ({ npcId: s.npcId, cases: s.cases.length }))
      .sort((a, b) => a.npcId.localeCompare(b.npcId));
  }

  problems(): SuiteFileProblem[] {
    return this.folder.problems().map(asSuiteProblem);
  }

  /** Validates and writes the suite (atomically); SuiteValidationError names the field at fault. */
  save(value: unknown): Promise<Suite> {
    return this.folder.track(
      (async () => {
        this.folder.assertOpen();
        const suite = parseSuite(value);
        await this.folder.write(suite.npcId, suite);
        return structuredClone(suite);
      })(),
    );
  }

  async cleanup(): Promise<void> {
    await this.folder.close();
    await this.runs.flush();
  }

  async healthCheck(): Promise<Health> {
    const resources = { suites: this.folder.size, invalidFiles: this.folder.invalidCount, inFlight: this.folder.inFlight };
    if (!this.folder.isOpen) return healthNow('stopped', resources);
    const lastError = this.folder.describeProblems('suite');
    return lastError ? healthNow('degraded', resources, { lastError }) : healthNow('healthy', resources);
  }
}

function asSuiteProblem({ file, id, ...rest }: RecordFileProblem): SuiteFileProblem {
  return { file, npcId: id, ...rest };
}
