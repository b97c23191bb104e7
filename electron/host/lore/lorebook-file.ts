import { basename, extname } from 'node:path';
import type { z } from 'zod';
import { lorebookSchema, lorebookV3FileSchema, worldInfoFileSchema, type Lorebook } from '../../../shared/lorebook';
import {
  lorebookToV3,
  lorebookToWorldInfo,
  lorebookV3ToLorebook,
  worldInfoToLorebook,
  characterBookToLorebook,
} from '../../../shared/lorebook-convert';
import { LOREBOOK_FILE_CHARS, type LorebookExportFormat, type LorebookRecord, type LorebookSource } from '../../../shared/lorebook-record';
import type { CharacterBook } from '../../../shared/npc';
import { formatZodPath } from '../fs/json-file';
import { HostError } from '../ipc/host-error';
import { exportFileName } from '../npc/export-file-name';

/** A lorebook file that cannot be imported: which field and why, in words a designer can act on. */
export class LorebookImportError extends HostError {
  constructor(
    readonly file: string,
    readonly fieldPath: string | undefined,
    readonly reason: string,
  ) {
    const where = fieldPath ? `${fieldPath}: ` : '';
    super('ValidationError', `${file} was not imported: ${where}${reason}`, { issues: [{ path: fieldPath ?? '(file)', message: reason }] });
    this.name = 'LorebookImportError';
  }
}

export interface DecodedLorebook {
  name: string;
  source: LorebookSource;
  book: Lorebook;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether parsed JSON is a lorebook file (World Info, lorebook_v3, a bare character_book) rather than a card. */
export function looksLikeLorebook(raw: unknown): boolean {
  if (!isRecord(raw)) return false;
  if (raw.spec === 'lorebook_v3') return true;
  if (typeof raw.spec === 'string' || 'data' in raw || 'first_mes' in raw) return false;
  return isRecord(raw.entries) || Array.isArray(raw.entries);
}

/**
 * Reads a SillyTavern World Info file (`{"entries": {"0": {…}}}`), a V3 `lorebook_v3` file, or a bare card
 * `character_book` (`{"entries": […]}`). The name is the file's own `name`, else the file name (as
 * SillyTavern names a world by its file). Checked with the schema `lorebook.save` uses.
 */
export function decodeLorebookFile(fileName: string, text: string): DecodedLorebook {
  const file = basename(fileName) || 'lorebook.json';
  if (text.length > LOREBOOK_FILE_CHARS) {
    throw new LorebookImportError(
      file,
      undefined,
      `the file is ${text.length.toLocaleString('en-US')} characters; at most ${LOREBOOK_FILE_CHARS.toLocaleString('en-US')}`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new LorebookImportError(file, undefined, `not valid JSON (${(err as Error).message})`);
  }
  if (!isRecord(raw)) throw new LorebookImportError(file, undefined, 'not a lorebook: expected a JSON object with "entries"');
  if (raw.spec === 'chara_card_v2' || raw.spec === 'chara_card_v3' || ('first_mes' in raw && !('entries' in raw))) {
    throw new LorebookImportError(file, 'spec', 'this is a character card, not a lorebook; import it in the NPCs tab');
  }
  let source: LorebookSource;
  let book: Lorebook;
  if (raw.spec === 'lorebook_v3') {
    source = 'lorebook_v3';
    book = lorebookV3ToLorebook(check(file, lorebookV3FileSchema, raw));
  } else if (isRecord(raw.entries)) {
    source = 'world_info';
    book = worldInfoToLorebook(check(file, worldInfoFileSchema, raw));
  } else if (Array.isArray(raw.entries)) {
    source = 'character_book';
    book = characterBookToLorebook(raw as CharacterBook);
  } else {
    throw new LorebookImportError(
      file,
      'entries',
      'not a lorebook: a World Info file has an "entries" object, a lorebook_v3 file has "spec": "lorebook_v3"',
    );
  }
  const valid = check(file, lorebookSchema, book, source === 'world_info' ? worldInfoPath : cardPath);
  const fromFile = [...basename(file, extname(file))].slice(0, 200).join('').trim();
  const name = (typeof valid.name === 'string' && valid.name.trim()) || fromFile || 'Lorebook';
  return { name, source, book: valid };
}

function check<T>(file: string, schema: z.ZodType<T>, value: unknown, path: (p: PropertyKey[]) => PropertyKey[] = (p) => p): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new LorebookImportError(file, formatZodPath(path(issue.path)) || undefined, issue.message);
}

/** A model path (entries[3].keys) as the World Info file spells it (entries[3].key), for the error message. */
const WI_NAMES: Record<string, string> = { keys: 'key', secondaryKeys: 'keysecondary', enabled: 'disable', id: 'uid' };
function worldInfoPath(p: PropertyKey[]): PropertyKey[] {
  return p.map((s, i) => (i === 2 && typeof s === 'string' ? (WI_NAMES[s] ?? s) : s));
}
const CARD_NAMES: Record<string, string> = {
  secondaryKeys: 'secondary_keys',
  order: 'insertion_order',
  scanDepth: 'scan_depth',
  tokenBudget: 'token_budget',
};
function cardPath(p: PropertyKey[]): PropertyKey[] {
  return p.map((s) => (typeof s === 'string' ? (CARD_NAMES[s] ?? s) : s));
}

/** The lorebook as a file: SillyTavern World Info (`st`) or V3 `lorebook_v3`. */
export function encodeLorebookFile(record: LorebookRecord, format: LorebookExportFormat): { fileName: string; text: string } {
  const value = format === 'st' ? lorebookToWorldInfo(record.book) : lorebookToV3(record.book);
  const ext = format === 'st' ? 'json' : 'lorebook.json';
  return { fileName: exportFileName(record.name, record.id, ext), text: JSON.stringify(value, null, 2) + '\n' };
}
