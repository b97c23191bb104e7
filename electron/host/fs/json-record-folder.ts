import { randomBytes } from 'node:crypto';
import { access, mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import type { Logger } from '../log/logger';
import { openFilePaths } from '../resources/proc';
import { FileProblem, readJsonFile, writeJsonAtomic } from './json-file';

/** A file in a record folder that could not be used; it is kept exactly as it is. */
export interface RecordFileProblem {
  file: string;
  id: string;
  fieldPath?: string;
  reason: string;
}

export type RecordAction = 'save' | 'delete';

export interface JsonRecordFolderOptions<T> {
  /** The folder; one <id>.json per record. */
  dir: string;
  schema: z.ZodType<T>;
  /** The record field that must equal the file name (e.g. "id", "npcId"). */
  idField: keyof T & string;
  /** Whether a string may be an id (and so a file name). */
  isValidId(id: string): boolean;
  /** Why a file name is not an id, as a designer reads it. */
  invalidIdReason: string;
  logger: Logger;
  /** Logged with the reason for each file kept but not loaded, e.g. "NPC file kept but not loaded". */
  keptMessage: string;
  /** The error for touching a record whose file failed validation (it is kept, so it is never replaced). */
  refusal(id: string, problem: RecordFileProblem, action: RecordAction): Error;
  /** The error for using the folder before open() or after close(). */
  closed(): Error;
}

/**
 * Records kept as one JSON file each in a folder, written atomically (temp file, fsync, rename). On open each
 * file is validated; a bad one is listed in problems() with its field path and left byte for byte as it is, and
 * write() / remove() refuse its id rather than overwrite it. Tracks the writes in flight so close() can wait.
 */
export class JsonRecordFolder<T> {
  private records: Map<string, T> | null = null;
  private readonly invalid = new Map<string, RecordFileProblem>();
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly options: JsonRecordFolderOptions<T>) {}

  get dir(): string {
    return this.options.dir;
  }

  get isOpen(): boolean {
    return this.records !== null;
  }

  /** Loaded records, or 0 when closed. */
  get size(): number {
    return this.records?.size ?? 0;
  }

  get invalidCount(): number {
    return this.invalid.size;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Reads and validates every <id>.json (in file-name order); returns how many loaded and how many were kept aside. */
  async open(): Promise<{ loaded: number; invalid: number }> {
    await mkdir(this.dir, { recursive: true });
    const records = new Map<string, T>();
    this.invalid.clear();
    for (const name of (await readdir(this.dir)).filter((n) => n.endsWith('.json')).sort()) {
      const id = name.slice(0, -'.json'.length);
      const file = join(this.dir, name);
      const problem = await this.loadOne(file, id, records);
      if (problem) {
        this.invalid.set(id, problem);
        this.options.logger.warn({ file, fieldPath: problem.fieldPath }, `${this.options.keptMessage}: ${problem.reason}`);
      }
    }
    this.records = records;
    return { loaded: records.size, invalid: this.invalid.size };
  }

  private async loadOne(file: string, id: string, into: Map<string, T>): Promise<RecordFileProblem | null> {
    if (!this.options.isValidId(id)) return { file, id, reason: this.options.invalidIdReason };
    try {
      const record = (await readJsonFile(file, this.options.schema))!;
      const inFile = record[this.options.idField];
      if (inFile !== id) return { file, id, fieldPath: this.options.idField, reason: `"${String(inFile)}" does not match the file name` };
      into.set(id, record);
      return null;
    } catch (err) {
      if (err instanceof FileProblem) return { file, id, fieldPath: err.fieldPath, reason: err.reason };
      throw err;
    }
  }

  /** Throws the closed error unless the folder is open. */
  assertOpen(): void {
    this.opened();
  }

  /** The record as stored (not a copy: callers clone what they hand out), or undefined. */
  peek(id: string): T | undefined {
    return this.opened().get(id);
  }

  has(id: string): boolean {
    return this.opened().has(id);
  }

  /** Every loaded record, by id. */
  values(): T[] {
    return [...this.opened()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, record]) => record);
  }

  /** Files that failed validation on open, in file-name order, each kept untouched. */
  problems(): RecordFileProblem[] {
    return [...this.invalid.values()].map((p) => ({ ...p }));
  }

  problemOf(id: string): RecordFileProblem | undefined {
    const problem = this.invalid.get(id);
    return problem ? { ...problem } : undefined;
  }

  /** Throws the refusal when `id` belongs to a file that failed validation. */
  refuseDamaged(id: string, action: RecordAction): void {
    const problem = this.invalid.get(id);
    if (problem) throw this.options.refusal(id, { ...problem }, action);
  }

  /** "2 NPC file(s) failed validation, e.g. …" for a degraded health report, or null when every file loaded. */
  describeProblems(noun: string): string | null {
    const first = [...this.invalid.values()][0];
    if (!first) return null;
    return `${this.invalid.size} ${noun} file(s) failed validation, e.g. ${first.file}: ${first.fieldPath ?? ''} ${first.reason}`;
  }

  fileOf(id: string): string {
    if (!this.options.isValidId(id)) throw new Error(`"${id}" is not a valid record id, so it names no file in ${this.dir}`);
    return join(this.dir, `${id}.json`);
  }

  /** Whether <id>.json is on disk (it may have appeared after open). */
  async fileExists(id: string): Promise<boolean> {
    try {
      await access(this.fileOf(id));
      return true;
    } catch {
      return false;
    }
  }

  /** Writes the record atomically, then makes it current; a damaged file's id is refused, a failed write changes nothing. */
  async write(id: string, record: T): Promise<void> {
    const records = this.opened();
    this.refuseDamaged(id, 'save');
    await writeJsonAtomic(this.fileOf(id), record);
    records.set(id, record);
  }

  /** Deletes the record's file; a damaged file's id is refused. */
  async remove(id: string): Promise<void> {
    const records = this.opened();
    this.refuseDamaged(id, 'delete');
    await unlink(this.fileOf(id));
    records.delete(id);
  }

  /** A new id from a name: a slug of it (or `fallback`) and six hex digits, unused by any record or kept file. */
  newId(name: string, fallback: string): string {
    const ascii = name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase();
    const slug =
      ascii
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 40) || fallback;
    for (;;) {
      const id = `${slug}-${randomBytes(3).toString('hex')}`;
      if (!this.records?.has(id) && !this.invalid.has(id)) return id;
    }
  }

  /** Files under the folder this process has open (a leak check for health reports). */
  openFiles(): number {
    return openFilePaths().filter((p) => p.startsWith(this.dir + '/')).length;
  }

  /** Counts `work` as in flight until it settles, so close() waits for it. */
  track<R>(work: Promise<R>): Promise<R> {
    this.pending.add(work);
    const done = () => this.pending.delete(work);
    void work.then(done, done);
    return work;
  }

  /** Waits for the work in flight, then forgets the records; returns how many there were. */
  async close(): Promise<number | null> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
    const count = this.records?.size ?? null;
    this.records = null;
    return count;
  }

  private opened(): Map<string, T> {
    if (!this.records) throw this.options.closed();
    return this.records;
  }
}
