import type { Health } from '../../../shared/health';
import { idSchema } from '../../../shared/ids';
import {
  lorebookDraftSchema,
  lorebookRecordSchema,
  type LorebookExportFormat,
  type LorebookRecord,
  type LorebookSource,
} from '../../../shared/lorebook-record';
import { formatZodPath } from '../fs/json-file';
import { JsonRecordFolder, type RecordFileProblem } from '../fs/json-record-folder';
import { HostError } from '../ipc/host-error';
import { healthNow, type Provider } from '../lifecycle/provider';
import type { Logger } from '../log/logger';
import { decodeLorebookFile, encodeLorebookFile } from './lorebook-file';

/** A file in the lorebook folder that could not be used; it is kept as it is. */
export type LorebookFileProblem = RecordFileProblem;

export class LorebookNotFoundError extends HostError {
  constructor(readonly lorebookId: string) {
    super('NotFound', `no lorebook with id "${lorebookId}"`);
    this.name = 'LorebookNotFoundError';
  }
}

export class LorebookValidationError extends HostError {
  constructor(
    readonly fieldPath: string,
    readonly reason: string,
  ) {
    super('ValidationError', `Lorebook not saved: ${fieldPath}: ${reason}`, { issues: [{ path: fieldPath, message: reason }] });
    this.name = 'LorebookValidationError';
  }
}

/** The id belongs to a file that failed validation; it is kept, so the store will not replace or delete it. */
export class LorebookFileConflictError extends HostError {
  constructor(id: string, problem: LorebookFileProblem, action: 'save' | 'delete') {
    const detail = `${problem.fieldPath ? `${problem.fieldPath}: ` : ''}${problem.reason}`;
    super(
      'ValidationError',
      `${action} refused: ${problem.file} failed validation (${detail}) and is kept as it is. Fix or move that file by hand and ` +
        `restart the studio${action === 'save' ? ', or save it as a new lorebook' : ''}.`,
      { issues: [{ path: 'id', message: `lorebook ${id} is a damaged file` }] },
    );
    this.name = 'LorebookFileConflictError';
  }
}

export interface LorebookStoreOptions {
  /** The lorebook folder, e.g. <user-data>/lorebooks; one <id>.json per lorebook. */
  dir: string;
  logger: Logger;
}

/**
 * Standalone lorebooks, one JSON file each, written atomically (temp file, fsync, rename). On open a file
 * that fails validation is listed in problems() with its field path and left exactly as it is; save() and
 * delete() refuse its id rather than overwrite it.
 */
export class LorebookStore implements Provider {
  readonly id = 'lorebook-store';
  readonly kind = 'lorebook-store';
  readonly phase = 'stores' as const;
  private readonly folder: JsonRecordFolder<LorebookRecord>;
  private readonly log: Logger;

  constructor(private readonly options: LorebookStoreOptions) {
    this.log = options.logger.child({ module: 'lorebook-store' });
    this.folder = new JsonRecordFolder({
      dir: options.dir,
      schema: lorebookRecordSchema,
      idField: 'id',
      isValidId: (id) => idSchema.safeParse(id).success,
      invalidIdReason: 'the file name is not a valid lorebook id (letters, digits, "-", "_")',
      logger: this.log,
      keptMessage: 'Lorebook file kept but not loaded',
      refusal: (id, problem, action) => new LorebookFileConflictError(id, problem, action),
      closed: () => new HostError('ProviderUnavailable', 'the lorebook store is not open (not started yet, or closed)'),
    });
  }

  get dir(): string {
    return this.options.dir;
  }

  async initialize(): Promise<void> {
    const { loaded, invalid } = await this.folder.open();
    this.log.info({ lorebooks: loaded, invalid }, 'Lorebook store opened');
  }

  /** Every lorebook, by name. */
  list(): LorebookRecord[] {
    return this.folder
      .values()
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
      .map((r) => structuredClone(r));
  }

  get(id: string): LorebookRecord {
    const record = this.folder.peek(id);
    if (!record) throw new LorebookNotFoundError(id);
    return structuredClone(record);
  }

  /** The lorebook named `name` (as a card's `extensions.world` names it): exact first, then ignoring case. */
  findByName(name: string): LorebookRecord | null {
    const all = this.folder.values().sort((a, b) => a.id.localeCompare(b.id));
    const wanted = name.trim();
    const found = all.find((r) => r.name === wanted) ?? all.find((r) => r.name.toLowerCase() === wanted.toLowerCase());
    return found ? structuredClone(found) : null;
  }

  /** The lorebook, or null when there is none with this id. */
  find(id: string): LorebookRecord | null {
    const record = this.folder.peek(id);
    return record ? structuredClone(record) : null;
  }

  problems(): LorebookFileProblem[] {
    return this.folder.problems();
  }

  /** Validates and writes the lorebook; without an id a new one is made. */
  save(draft: unknown): Promise<LorebookRecord> {
    return this.folder.track(this.saveNow(draft));
  }

  private async saveNow(draft: unknown, source?: LorebookSource): Promise<LorebookRecord> {
    this.folder.assertOpen();
    const parsed = lorebookDraftSchema.safeParse(draft);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new LorebookValidationError(formatZodPath(issue.path) || '(root)', issue.message);
    }
    const id = parsed.data.id ?? this.folder.newId(parsed.data.name, 'lorebook');
    this.folder.refuseDamaged(id, 'save');
    const existing = this.folder.peek(id);
    if (parsed.data.id && !existing) {
      if (await this.folder.fileExists(id)) {
        throw new LorebookValidationError('id', `${this.folder.fileOf(id)} appeared after the store was opened; restart the studio`);
      }
      throw new LorebookNotFoundError(id);
    }
    const now = new Date().toISOString();
    const record = lorebookRecordSchema.parse({
      version: 1,
      id,
      name: parsed.data.name,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
      source: existing?.source ?? source ?? 'studio',
      book: parsed.data.book,
    });
    await this.folder.write(id, record);
    this.log.debug({ id, name: record.name }, existing ? 'Lorebook saved' : 'Lorebook created');
    return structuredClone(record);
  }

  /** Imports a World Info, lorebook_v3 or character_book JSON file as a new lorebook (LorebookImportError says why not). */
  import(fileName: string, text: string): Promise<LorebookRecord> {
    return this.folder.track(
      (async () => {
        this.folder.assertOpen();
        const decoded = decodeLorebookFile(fileName, text);
        return this.saveNow({ name: decoded.name, book: decoded.book }, decoded.source);
      })(),
    );
  }

  export(id: string, format: LorebookExportFormat): { fileName: string; text: string } {
    return encodeLorebookFile(this.get(id), format);
  }

  delete(id: string): Promise<void> {
    return this.folder.track(
      (async () => {
        this.folder.assertOpen();
        this.folder.refuseDamaged(id, 'delete');
        if (!this.folder.has(id)) throw new LorebookNotFoundError(id);
        await this.folder.remove(id);
        this.log.debug({ id }, 'Lorebook deleted');
      })(),
    );
  }

  async cleanup(): Promise<void> {
    const lorebooks = await this.folder.close();
    if (lorebooks !== null) this.log.info({ lorebooks }, 'Lorebook store closed');
  }

  async healthCheck(): Promise<Health> {
    const resources = {
      lorebooks: this.folder.size,
      invalidFiles: this.folder.invalidCount,
      openFiles: this.folder.openFiles(),
      inFlight: this.folder.inFlight,
    };
    if (!this.folder.isOpen) return healthNow('stopped', resources);
    const lastError = this.folder.describeProblems('lorebook');
    return lastError ? healthNow('degraded', resources, { lastError }) : healthNow('healthy', resources);
  }
}
