import { randomBytes } from 'node:crypto';
import { access, mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Health } from '../../../shared/health';
import { idSchema } from '../../../shared/ids';
import {
  lorebookDraftSchema,
  lorebookRecordSchema,
  type LorebookExportFormat,
  type LorebookRecord,
  type LorebookSource,
} from '../../../shared/lorebook-record';
import { FileProblem, formatZodPath, readJsonFile, writeJsonAtomic } from '../fs/json-file';
import { HostError } from '../ipc/host-error';
import { healthNow, type Provider } from '../lifecycle/provider';
import type { Logger } from '../log/logger';
import { openFilePaths } from '../resources/proc';
import { decodeLorebookFile, encodeLorebookFile } from './lorebook-file';

/** A file in the lorebook folder that could not be used; it is kept as it is. */
export interface LorebookFileProblem {
  file: string;
  id: string;
  fieldPath?: string;
  reason: string;
}

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
  private books: Map<string, LorebookRecord> | null = null;
  private readonly invalid = new Map<string, LorebookFileProblem>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly log: Logger;

  constructor(private readonly options: LorebookStoreOptions) {
    this.log = options.logger.child({ module: 'lorebook-store' });
  }

  get dir(): string {
    return this.options.dir;
  }

  async initialize(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const books = new Map<string, LorebookRecord>();
    this.invalid.clear();
    for (const name of (await readdir(this.dir)).filter((n) => n.endsWith('.json')).sort()) {
      const id = name.slice(0, -'.json'.length);
      const file = join(this.dir, name);
      const problem = await this.loadOne(file, id, books);
      if (problem) {
        this.invalid.set(id, problem);
        this.log.warn({ file, fieldPath: problem.fieldPath }, `Lorebook file kept but not loaded: ${problem.reason}`);
      }
    }
    this.books = books;
    this.log.info({ lorebooks: books.size, invalid: this.invalid.size }, 'Lorebook store opened');
  }

  private async loadOne(file: string, id: string, into: Map<string, LorebookRecord>): Promise<LorebookFileProblem | null> {
    if (!idSchema.safeParse(id).success) return { file, id, reason: 'the file name is not a valid lorebook id (letters, digits, "-", "_")' };
    try {
      const record = (await readJsonFile(file, lorebookRecordSchema))!;
      if (record.id !== id) return { file, id, fieldPath: 'id', reason: `"${record.id}" does not match the file name` };
      into.set(id, record);
      return null;
    } catch (err) {
      if (err instanceof FileProblem) return { file, id, fieldPath: err.fieldPath, reason: err.reason };
      throw err;
    }
  }

  /** Every lorebook, by name. */
  list(): LorebookRecord[] {
    return [...this.open().values()].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id)).map((r) => structuredClone(r));
  }

  get(id: string): LorebookRecord {
    const record = this.open().get(id);
    if (!record) throw new LorebookNotFoundError(id);
    return structuredClone(record);
  }

  /** The lorebook named `name` (as a card's `extensions.world` names it): exact first, then ignoring case. */
  findByName(name: string): LorebookRecord | null {
    const all = [...this.open().values()].sort((a, b) => a.id.localeCompare(b.id));
    const wanted = name.trim();
    const found = all.find((r) => r.name === wanted) ?? all.find((r) => r.name.toLowerCase() === wanted.toLowerCase());
    return found ? structuredClone(found) : null;
  }

  /** The lorebook, or null when there is none with this id. */
  find(id: string): LorebookRecord | null {
    const record = this.open().get(id);
    return record ? structuredClone(record) : null;
  }

  problems(): LorebookFileProblem[] {
    return [...this.invalid.values()].map((p) => ({ ...p }));
  }

  /** Validates and writes the lorebook; without an id a new one is made. */
  save(draft: unknown): Promise<LorebookRecord> {
    return this.track(this.saveNow(draft));
  }

  private async saveNow(draft: unknown, source?: LorebookSource): Promise<LorebookRecord> {
    const books = this.open();
    const parsed = lorebookDraftSchema.safeParse(draft);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new LorebookValidationError(formatZodPath(issue.path) || '(root)', issue.message);
    }
    const id = parsed.data.id ?? this.newId(parsed.data.name);
    const problem = this.invalid.get(id);
    if (problem) throw new LorebookFileConflictError(id, problem, 'save');
    const existing = books.get(id);
    if (parsed.data.id && !existing) {
      if (await exists(this.fileOf(id))) throw new LorebookValidationError('id', `${this.fileOf(id)} appeared after the store was opened; restart the studio`);
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
    await writeJsonAtomic(this.fileOf(id), record);
    books.set(id, record);
    this.log.debug({ id, name: record.name }, existing ? 'Lorebook saved' : 'Lorebook created');
    return structuredClone(record);
  }

  /** Imports a World Info, lorebook_v3 or character_book JSON file as a new lorebook (LorebookImportError says why not). */
  import(fileName: string, text: string): Promise<LorebookRecord> {
    return this.track(
      (async () => {
        this.open();
        const decoded = decodeLorebookFile(fileName, text);
        return this.saveNow({ name: decoded.name, book: decoded.book }, decoded.source);
      })(),
    );
  }

  export(id: string, format: LorebookExportFormat): { fileName: string; text: string } {
    return encodeLorebookFile(this.get(id), format);
  }

  delete(id: string): Promise<void> {
    return this.track(
      (async () => {
        const books = this.open();
        const problem = this.invalid.get(id);
        if (problem) throw new LorebookFileConflictError(id, problem, 'delete');
        if (!books.has(id)) throw new LorebookNotFoundError(id);
        await unlink(this.fileOf(id));
        books.delete(id);
        this.log.debug({ id }, 'Lorebook deleted');
      })(),
    );
  }

  async cleanup(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
    if (this.books) this.log.info({ lorebooks: this.books.size }, 'Lorebook store closed');
    this.books = null;
  }

  async healthCheck(): Promise<Health> {
    const resources = {
      lorebooks: this.books?.size ?? 0,
      invalidFiles: this.invalid.size,
      openFiles: openFilePaths().filter((p) => p.startsWith(this.dir + '/')).length,
      inFlight: this.pending.size,
    };
    if (!this.books) return healthNow('stopped', resources);
    const first = [...this.invalid.values()][0];
    if (first) {
      const lastError = `${this.invalid.size} lorebook file(s) failed validation, e.g. ${first.file}: ${first.fieldPath ?? ''} ${first.reason}`;
      return healthNow('degraded', resources, { lastError });
    }
    return healthNow('healthy', resources);
  }

  private open(): Map<string, LorebookRecord> {
    if (!this.books) throw new HostError('ProviderUnavailable', 'the lorebook store is not open (not started yet, or closed)');
    return this.books;
  }

  private fileOf(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  private newId(name: string): string {
    const slug =
      name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) ||
      'lorebook';
    for (;;) {
      const id = `${slug}-${randomBytes(3).toString('hex')}`;
      if (!this.books?.has(id) && !this.invalid.has(id)) return id;
    }
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.pending.add(work);
    const done = () => this.pending.delete(work);
    void work.then(done, done);
    return work;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
