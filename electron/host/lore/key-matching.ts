import type { EntryRef, MatchSource } from '../../../shared/lorebook-trace';

/**
 * Key matching as SillyTavern's WorldInfoBuffer does it: keys written `/pattern/flags` are regular
 * expressions (and ignore the case and whole-word settings); other keys match as substrings, lower-cased
 * unless case sensitive; with whole words, a one-word key must stand between non-word characters.
 */

export interface MatchOptions {
  caseSensitive: boolean;
  matchWholeWords: boolean;
}

/** A `/pattern/flags` key as a RegExp, or null when the key is not one (or is not a valid pattern). */
export function parseRegexKey(key: string): RegExp | null {
  const m = /^\/([\s\S]+?)\/([gimsuy]*)$/.exec(key);
  if (!m) return null;
  const [, pattern, flags] = m as unknown as [string, string, string];
  // An unescaped "/" inside would end the pattern in every other engine: not a regex key.
  if (/(^|[^\\])\//.test(pattern)) return null;
  try {
    return new RegExp(pattern, flags);
  } catch {
    return null;
  }
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** One-entry cache: an activation tests many keys against the same scanned text in a row. */
let lastText = '';
let lastLower = '';
function lowerCase(text: string): string {
  if (text !== lastText) {
    lastText = text;
    lastLower = text.toLowerCase();
  }
  return lastLower;
}

/** Where the key matched in the text, or -1. */
export function findKey(text: string, key: string, options: MatchOptions, lower?: string): number {
  const regex = parseRegexKey(key);
  if (regex) {
    regex.lastIndex = 0;
    const m = regex.exec(text);
    return m ? m.index : -1;
  }
  const haystack = options.caseSensitive ? text : (lower ?? lowerCase(text));
  const needle = options.caseSensitive ? key : key.toLowerCase();
  if (!options.matchWholeWords || needle.split(/\s+/).length > 1) return haystack.indexOf(needle);
  const m = new RegExp(`(?:^|\\W)(${escapeRegex(needle)})(?:$|\\W)`).exec(haystack);
  return m ? m.index + m[0].indexOf(m[1]!) : -1;
}

export interface ScanMessage {
  /** Index in the history, 0 = oldest. */
  index: number;
  role: string;
  text: string;
}

interface RecursionSegment {
  from: EntryRef;
  text: string;
  lower: string;
}

/** SillyTavern joins scanned texts with a newline and a \x01 marker so keys cannot run across them. */
const MATCHER = '\x01';
const JOINER = '\n' + MATCHER;
export const MAX_SCAN_DEPTH = 1000;

/** A chat message as the buffer is given it: scanned as its content, or as "name: content" with names included. */
export interface ChatScanInput {
  role: string;
  content: string;
  name?: string;
}

/**
 * The texts one activation scans: the chat, newest first, and what recursion added. A message is read, trimmed and
 * lower-cased on first use: entries scan the newest few (2 by default), and a long conversation's other messages
 * would cost every turn a pass over the whole chat.
 */
export class ScanBuffer {
  /** Oldest first, as the history is kept. */
  readonly #history: readonly ChatScanInput[];
  readonly #includeNames: boolean;
  /** The newest messages read so far, newest first. */
  readonly #read: (ScanMessage & { lower?: string })[] = [];
  readonly #recursion: RecursionSegment[] = [];

  constructor(history: readonly ChatScanInput[], options: { includeNames?: boolean } = {}) {
    this.#history = history;
    this.#includeNames = options.includeNames ?? false;
  }

  /** The `depth` newest messages (newest first, at most MAX_SCAN_DEPTH), trimmed. */
  #newest(depth: number): (ScanMessage & { lower?: string })[] {
    const n = Math.max(0, Math.min(depth, MAX_SCAN_DEPTH, this.#history.length));
    for (let i = this.#read.length; i < n; i++) {
      const index = this.#history.length - 1 - i;
      const m = this.#history[index]!;
      const text = this.#includeNames && m.name ? `${m.name}: ${m.content}` : m.content;
      this.#read.push({ index, role: m.role, text: text.trim() });
    }
    return this.#read.slice(0, n);
  }

  readonly #joined = new Map<string, string>();

  /** How many entry texts recursion has added so far. */
  get recursionCount(): number {
    return this.#recursion.length;
  }

  /** Whether a plain key is in one of the recursion texts from `from` on (each text on its own, as joined). */
  recursionHas(from: number, key: string, options: MatchOptions): boolean {
    for (let i = from; i < this.#recursion.length; i++) {
      const r = this.#recursion[i]!;
      if (findKey(r.text, key, options, r.lower) >= 0) return true;
    }
    return false;
  }

  addRecursion(from: EntryRef, text: string): void {
    this.#recursion.push({ from, text, lower: text.toLowerCase() });
    this.#joined.clear();
  }

  /** The joined text an entry with this scan depth sees; 0 scans nothing at all, not even recursion (as SillyTavern). */
  text(depth: number, withRecursion: boolean): string {
    if (depth <= 0) return '';
    const cacheKey = `${depth}/${withRecursion}`;
    const cached = this.#joined.get(cacheKey);
    if (cached !== undefined) return cached;
    let result =
      MATCHER +
      this.#newest(depth)
        .map((m) => m.text)
        .join(JOINER);
    if (withRecursion && this.#recursion.length) result += JOINER + this.#recursion.map((r) => r.text).join(JOINER);
    this.#joined.set(cacheKey, result);
    return result;
  }

  /** Where in the scanned texts a key that matched the joined text is found: newest message first, then recursion. */
  locate(key: string, options: MatchOptions, depth: number, withRecursion: boolean): MatchSource {
    for (const m of this.#newest(depth)) {
      const at = findKey(m.text, key, options, (m.lower ??= m.text.toLowerCase()));
      if (at >= 0) return { kind: 'message', index: m.index, role: m.role, excerpt: excerpt(m.text, at) };
    }
    if (withRecursion) {
      for (const r of this.#recursion) {
        const at = findKey(r.text, key, options, r.lower);
        if (at >= 0) return { kind: 'entry', from: r.from, excerpt: excerpt(r.text, at) };
      }
    }
    const joined = this.text(depth, withRecursion);
    return { kind: 'messages', excerpt: excerpt(joined.replaceAll(MATCHER, ''), Math.max(0, findKey(joined, key, options))) };
  }
}

const EXCERPT_RADIUS = 40;

function excerpt(text: string, at: number): string {
  const start = Math.max(0, at - EXCERPT_RADIUS);
  const end = Math.min(text.length, at + EXCERPT_RADIUS * 2);
  return (start > 0 ? '…' : '') + text.slice(start, end).replace(/\s+/g, ' ') + (end < text.length ? '…' : '');
}
