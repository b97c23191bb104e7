import { readFile } from 'node:fs/promises';
import writeFileAtomic from 'write-file-atomic';
import type { z } from 'zod';

/** A file that could not be used as it is. It is reported and kept, never deleted or overwritten. */
export class FileProblem extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly fieldPath?: string,
  ) {
    super(`${file}: ${fieldPath ? `${fieldPath}: ` : ''}${reason}`);
    this.name = 'FileProblem';
  }
}

/** Temp file, fsync, rename: an interrupted write leaves the previous content whole. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n', { fsync: true, mode: 0o600 });
}

/**
 * The same, blocking. For the shutdown's last step only: nothing else is left to run then, and the async form's
 * seven round trips through the thread pool would each add to the quit.
 */
export function writeJsonAtomicSync(file: string, value: unknown): void {
  writeFileAtomic.sync(file, JSON.stringify(value, null, 2) + '\n', { fsync: true, mode: 0o600 });
}

export function formatZodPath(path: readonly PropertyKey[]): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
}

/** Parses `text` as JSON and checks it against `schema`; the error names the file and the field. */
export function parseJsonText<T>(file: string, text: string, schema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new FileProblem(file, `not valid JSON (${(err as Error).message})`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new FileProblem(file, issue.message, formatZodPath(issue.path) || '(root)');
  }
  return parsed.data;
}

/** Reads and validates a JSON file; undefined when it does not exist. */
export async function readJsonFile<T>(file: string, schema: z.ZodType<T>): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FileProblem(file, `cannot be read (${(err as Error).message})`);
  }
  return parseJsonText(file, text, schema);
}
