import { open, readFile, truncate, type FileHandle } from 'node:fs/promises';
import type { z } from 'zod';
import { formatZodPath } from './json-file';

export interface JournalProblem {
  line: number;
  reason: string;
  /** True for the torn last record, which is cut off the file; other bad lines are kept in place. */
  dropped: boolean;
}

export interface OpenedJournal<T> {
  journal: Journal<T>;
  records: T[];
  problems: JournalProblem[];
}

/**
 * Append-only JSON-lines journal. Each append is written and fsynced before it resolves, so a record
 * acknowledged to the caller survives a crash. On open, a torn last record (cut mid-write) is dropped.
 */
export class Journal<T> {
  private handle: FileHandle | null;
  private tail: Promise<void> = Promise.resolve();

  private constructor(
    readonly file: string,
    handle: FileHandle,
    private readonly schema: z.ZodType<T>,
    /** Bytes written since the last fsync: only an append whose fsync failed, or the repair on open, leaves any. */
    private unsynced: boolean,
  ) {
    this.handle = handle;
  }

  static async open<T>(file: string, schema: z.ZodType<T>): Promise<OpenedJournal<T>> {
    let text = '';
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const { records, problems, keepBytes } = parseJournal(text, schema);
    const torn = keepBytes < Buffer.byteLength(text);
    if (torn) await truncate(file, keepBytes);
    const handle = await open(file, 'a', 0o600);
    // A whole last record whose newline was lost: end the line so the next append starts its own.
    const unterminated = keepBytes > 0 && Buffer.from(text).subarray(0, keepBytes).at(-1) !== 0x0a;
    if (unterminated) await handle.appendFile('\n');
    return { journal: new Journal(file, handle, schema, torn || unterminated), records, problems };
  }

  get isOpen(): boolean {
    return this.handle !== null;
  }

  append(record: T): Promise<void> {
    const checked = this.schema.parse(record);
    const line = JSON.stringify(checked) + '\n';
    const write = this.tail.then(async () => {
      if (!this.handle) throw new Error(`journal ${this.file} is closed`);
      this.unsynced = true;
      await this.handle.appendFile(line, 'utf8');
      await this.handle.sync();
      this.unsynced = false;
    });
    this.tail = write.catch(() => undefined);
    return write;
  }

  /** Waits for pending appends, fsyncs what is not yet on disk (every acknowledged append already is), closes. Idempotent. */
  async close(): Promise<void> {
    await this.tail;
    const handle = this.handle;
    this.handle = null;
    if (handle) {
      if (this.unsynced) await handle.sync().catch(() => undefined);
      await handle.close();
    }
  }
}

function parseJournal<T>(text: string, schema: z.ZodType<T>) {
  const records: T[] = [];
  const problems: JournalProblem[] = [];
  const lines = text.split('\n');
  const endsClean = text.endsWith('\n') || text.length === 0;
  let offset = 0;
  let keepBytes = 0;
  lines.forEach((line, i) => {
    const isLast = i === lines.length - 1;
    const lineBytes = Buffer.byteLength(line) + (isLast ? 0 : 1);
    if (isLast && line === '') return;
    const problem = journalLineProblem(line, schema);
    if (problem === null) {
      records.push(schema.parse(JSON.parse(line)));
      keepBytes = offset + lineBytes;
    } else if (isLast && !endsClean) {
      problems.push({ line: i + 1, reason: `torn last record dropped (${problem})`, dropped: true });
    } else {
      problems.push({ line: i + 1, reason: problem, dropped: false });
      keepBytes = offset + lineBytes;
    }
    offset += lineBytes;
  });
  if (endsClean) keepBytes = Buffer.byteLength(text);
  return { records, problems, keepBytes };
}

/** Why one journal line is unusable (not JSON, or not the record schema), or null when it is fine. */
export function journalLineProblem<T>(line: string, schema: z.ZodType<T>): string | null {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return 'not valid JSON';
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0]!;
  return `${formatZodPath(issue.path) || '(root)'}: ${issue.message}`;
}
