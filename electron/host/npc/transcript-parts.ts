import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { z } from 'zod';
import { journalLineProblem } from '../fs/journal';

/**
 * Prompt parts stored once by content hash (transcripts/<npc>/.parts.jsonl) and referenced from replies.
 * A reply's meta (shared/chat.ts replyMetaSchema: its system prompt pieces, lore trace, knowledge chunks) is mostly
 * the same turn after turn; written whole it made a transcript grow ~11 KB a turn. `compactValue` replaces every
 * long string, and every large object or array, by a reference to a part; `expandValue` puts them back.
 * A string reference is "\u0001<hash>", an object or array (stored as JSON) "\u0002<hash>"; an object whose fields
 * partly change from turn to turn keeps those inline beside {"\u0003": <hash of the others>}. Replies written before
 * this hold no references and read as they are: one reader for both formats.
 */

const STRING_REF = '\u0001';
const JSON_REF = '\u0002';
/** The key of an object's stored stable fields: {"\u0003": <hash>, ...fields that change}. */
const SKELETON_KEY = '\u0003';
/**
 * A part's key: the first 8 characters of its hash (48 bits), longer only when another part already has them, so a
 * key never names two texts. Parts written with 12-character keys (before) read as they are.
 */
const KEY_LENGTHS = [8, 12, 16, 24, 43];
const MAX_SEEN = 50_000;
/** Strings at least this long are stored as parts (a reference costs ~20 bytes). */
export const MIN_PART_CHARS = 48;
/** Unchanging objects and arrays (or an object's unchanging fields) whose JSON is at least this long are stored as parts. */
export const MIN_PART_JSON = 40;

export const partRecordSchema = z.strictObject({ parts: z.array(z.tuple([z.string(), z.string()])).min(1) });
type PartRecord = z.output<typeof partRecordSchema>;

export function partHash(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/**
 * One NPC's parts: read once, appended (fsynced) before a reply that references them is written. No handle is
 * kept open between writes. A damaged line is reported and skipped (the replies using it show a marker).
 */
export class PartStore {
  private writing: Promise<unknown> = Promise.resolve();
  /** Hashes of whole objects met once: met again, they are stored whole and referenced (see compactValue). */
  private readonly seen = new Set<string>();
  /** The file ends in a torn line (killed mid-write): the next record starts on a line of its own. */
  private endsTorn = false;

  private constructor(
    private readonly file: string,
    private readonly parts: Map<string, string>,
    readonly problems: string[],
  ) {}

  static async open(file: string): Promise<PartStore> {
    let text = '';
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const parts = new Map<string, string>();
    const problems: string[] = [];
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      if (line === '') return;
      const problem = journalLineProblem(line, partRecordSchema);
      if (problem) {
        // A torn last line is an unfinished write: the reply that needed it was never written.
        if (i < lines.length - 1) problems.push(`${file} line ${i + 1}: ${problem}`);
        return;
      }
      for (const [h, t] of (JSON.parse(line) as PartRecord).parts) parts.set(h, t);
    });
    const store = new PartStore(file, parts, problems);
    store.endsTorn = text !== '' && !text.endsWith('\n');
    return store;
  }

  private async append(record: PartRecord): Promise<void> {
    const run = this.writing.then(async () => {
      const line = (this.endsTorn ? '\n' : '') + JSON.stringify(record) + '\n';
      const handle = await open(this.file, 'a', 0o600);
      try {
        await handle.appendFile(line);
        await handle.sync();
        this.endsTorn = false;
      } finally {
        await handle.close();
      }
    });
    this.writing = run.catch(() => undefined);
    return run;
  }

  get size(): number {
    return this.parts.size;
  }

  /** `value` with its long strings and large objects replaced by references; new parts are written first. */
  async compact<T>(value: T): Promise<unknown> {
    const fresh = new Map<string, string>();
    const out = compactValue(value, { known: this.parts, fresh, seen: this.seen }, true);
    if (fresh.size) {
      await this.append({ parts: [...fresh.entries()] });
      for (const [h, t] of fresh) this.parts.set(h, t);
    }
    return out;
  }

  /** `value` with references resolved; a missing part becomes a marker and is listed in `missing`. */
  expand(value: unknown, missing: string[] = []): unknown {
    return expandValue(value, this.parts, missing);
  }

  async close(): Promise<void> {
    await this.writing;
  }
}

interface Compaction {
  known: Map<string, string>;
  fresh: Map<string, string>;
  seen: Set<string>;
}

function compactValue(value: unknown, c: Compaction, top: boolean): unknown {
  if (typeof value === 'string') {
    if (value.length < MIN_PART_CHARS && !value.startsWith(STRING_REF) && !value.startsWith(JSON_REF)) return value;
    return STRING_REF + remember(value, c);
  }
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const items = value.map((v) => compactValue(v, c, false));
    const json = JSON.stringify(items);
    if (top || json.length < MIN_PART_JSON) return items;
    return recurs(json, c) ? JSON_REF + remember(json, c) : items;
  }
  const entries = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => [k, compactValue(v, c, false)] as const);
  const whole = Object.fromEntries(entries);
  if (top) return whole;
  const wholeJson = JSON.stringify(whole);
  // An object met whole before (a lore entry with the same figures, a budget) is stored once and referenced.
  if (wholeJson.length >= MIN_PART_JSON && recurs(wholeJson, c)) return JSON_REF + remember(wholeJson, c);
  // Otherwise the fields that tend to stay the same (texts, names, keys, references), when met before, are stored
  // once as a part, and the ones that change (counts, indexes, nested details) stay inline beside the reference.
  // Three tries: every plain field (numbers too: an entry's order and tokens), then texts only, then texts that are
  // not references (a reference names a part that may change turn by turn: which knowledge chunks were used).
  const plainText = (v: unknown) => isStable(v) && !isReference(v);
  for (const fixed of [(v: unknown) => isStable(v) || typeof v === 'number', isStable, plainText]) {
    const stable = entries.filter(([, v]) => fixed(v));
    const varying = entries.filter(([, v]) => !fixed(v));
    if (stable.length === 0 || varying.length === 0) continue;
    const stableJson = JSON.stringify(Object.fromEntries(stable));
    if (stableJson.length >= MIN_PART_JSON && recurs(stableJson, c))
      return { [SKELETON_KEY]: remember(stableJson, c), ...Object.fromEntries(varying) };
  }
  return whole;
}

/** Whether `json` is a part already, or was met once before in this run: only what recurs is worth a part. */
function recurs(json: string, c: Compaction): boolean {
  const hash = partHash(json);
  const key = keyOf(json, hash, c);
  if (c.known.get(key) === json || c.fresh.get(key) === json) return true;
  if (c.seen.has(hash)) return true;
  if (c.seen.size >= MAX_SEEN) c.seen.clear(); // bounded memory; recurring objects are met again soon
  c.seen.add(hash);
  return false;
}

/** The shortest key of `text` that no other part holds. */
function keyOf(text: string, hash: string, c: Compaction): string {
  for (const length of KEY_LENGTHS) {
    const key = hash.slice(0, length);
    const held = c.known.get(key) ?? c.fresh.get(key);
    if (held === undefined || held === text) return key;
  }
  throw new Error('internal: two prompt parts with the same SHA-256');
}

function isReference(v: unknown): boolean {
  return typeof v === 'string' && (v.startsWith(STRING_REF) || v.startsWith(JSON_REF));
}

/** Strings, booleans, null, and arrays and references made of them only. */
function isStable(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  return Array.isArray(v) && v.every((x) => x === null || typeof x === 'string' || typeof x === 'boolean');
}

function remember(text: string, c: Compaction): string {
  const key = keyOf(text, partHash(text), c);
  if (!c.known.has(key)) c.fresh.set(key, text);
  return key;
}

function expandValue(value: unknown, parts: Map<string, string>, missing: string[]): unknown {
  if (typeof value === 'string') {
    const kind = value[0];
    if (kind !== STRING_REF && kind !== JSON_REF) return value;
    const hash = value.slice(1);
    const text = parts.get(hash);
    if (text === undefined) {
      missing.push(hash);
      return kind === STRING_REF ? `[prompt part ${hash} is missing]` : undefined;
    }
    return kind === STRING_REF ? text : expandValue(JSON.parse(text), parts, missing);
  }
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => expandValue(v, parts, missing));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k !== SKELETON_KEY) {
      out[k] = expandValue(v, parts, missing);
      continue;
    }
    const text = typeof v === 'string' ? parts.get(v) : undefined;
    if (text === undefined) missing.push(String(v));
    else Object.assign(out, expandValue(JSON.parse(text), parts, missing));
  }
  return out;
}
