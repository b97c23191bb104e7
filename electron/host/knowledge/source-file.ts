import { readFile, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { KnowledgeInputError } from './knowledge-errors';

export const LORE_FILE_EXTENSIONS = ['.txt', '.md', '.markdown'] as const;
const MAX_FILE_BYTES = 5_000_000;

/** Reads a .txt or .md lore file as UTF-8 text; refuses other types, binary content and unreadable files. */
export async function readLoreFile(path: string): Promise<{ name: string; text: string }> {
  const ext = extname(path).toLowerCase();
  if (!(LORE_FILE_EXTENSIONS as readonly string[]).includes(ext)) {
    throw new KnowledgeInputError(
      `${path}: only ${LORE_FILE_EXTENSIONS.join(', ')} files can be added as lore (got "${ext || 'no extension'}")`,
    );
  }
  let bytes: Buffer;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a regular file');
    if (info.size > MAX_FILE_BYTES) throw new Error(`${info.size} bytes is over the ${MAX_FILE_BYTES}-byte limit`);
    bytes = await readFile(path);
  } catch (err) {
    throw new KnowledgeInputError(`${path}: cannot be read (${(err as Error).message})`);
  }
  if (bytes.includes(0)) throw new KnowledgeInputError(`${path}: looks like a binary file (it contains NUL bytes), not text`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new KnowledgeInputError(`${path}: is not valid UTF-8 text`);
  }
  return { name: basename(path), text: text.replace(/^\uFEFF/, '') };
}
