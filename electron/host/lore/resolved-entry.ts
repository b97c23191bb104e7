import { LORE_DEFAULTS, type LoreEntry, type Lorebook, type SelectiveLogic } from '../../../shared/lorebook';
import type { EntryRef } from '../../../shared/lorebook-trace';
import { parseDecorators, resolveDecorators, type EntryDecorators } from './decorators';
import type { TimedEntry } from './timed-effects';

/** A lorebook the engine reads: an NPC's own book or one attached to it. */
export interface LorebookInput {
  /** Stable id (the studio's lorebook id, or e.g. `npc:<id>` for the embedded book): names timed-effect state. */
  id: string;
  book: Lorebook;
}

/** An entry with SillyTavern's defaults applied and its decorators read: what the engine works on. */
export interface ResolvedEntry {
  ref: EntryRef;
  stateKey: string;
  /** Position in the scan order (order descending, then book, then entry). */
  sortIndex: number;
  book: Lorebook;
  entry: LoreEntry;
  enabled: boolean;
  constant: boolean;
  keys: string[];
  secondaryKeys: string[];
  selective: boolean;
  logic: SelectiveLogic | number;
  /** Content below the decorator lines. */
  body: string;
  decorators: EntryDecorators;
  order: number;
  groups: string[];
  groupOverride: boolean;
  groupWeight: number;
  useGroupScoring: boolean | null;
  probability: number;
  useProbability: boolean;
  caseSensitive: boolean | null;
  matchWholeWords: boolean | null;
  /** From `@@scan_depth`, the entry, or null (book or global). */
  scanDepth: number | null;
  /** 0 = not delayed; otherwise the recursion level it waits for. */
  delayUntilRecursion: number;
  excludeRecursion: boolean;
  preventRecursion: boolean;
  ignoreBudget: boolean;
  timed: TimedEntry;
}

/**
 * The entry's name in traces and timed-effect state: its id, or its index in the book when it has none. An index
 * that another entry of the book has as its id (card books mix both) becomes `#<index>`, so no two entries share one.
 */
export function entryKey(entry: LoreEntry, index: number, ids: ReadonlySet<string> = new Set()): string {
  if (entry.id !== undefined) return String(entry.id);
  return ids.has(String(index)) ? `#${index}` : String(index);
}

function resolve(input: LorebookInput, entry: LoreEntry, index: number, ids: ReadonlySet<string>): Omit<ResolvedEntry, 'sortIndex'> {
  const { chains, body } = parseDecorators(entry.content ?? '');
  const decorators = resolveDecorators(chains);
  const key = entryKey(entry, index, ids);
  const stateKey = `${input.id}.${key}`;
  const dur = entry.delayUntilRecursion;
  const timed = { stateKey, sticky: entry.sticky ?? 0, cooldown: entry.cooldown ?? 0, delay: entry.delay ?? 0 };
  return {
    ref: { book: input.id, entry: key, ...(entry.comment ? { comment: entry.comment } : {}) },
    stateKey,
    book: input.book,
    entry,
    enabled: entry.enabled ?? true,
    constant: entry.constant ?? false,
    keys: entry.keys ?? [],
    secondaryKeys: entry.secondaryKeys ?? [],
    // Absent means off at run time in SillyTavern (`entry.selective && …`) and in the V2 spec.
    selective: entry.selective ?? false,
    logic: entry.selectiveLogic ?? 'and_any',
    body,
    decorators,
    order: entry.order ?? LORE_DEFAULTS.order,
    groups: (entry.group ?? '').split(/,\s*/).filter(Boolean),
    groupOverride: entry.groupOverride ?? false,
    groupWeight: entry.groupWeight ?? LORE_DEFAULTS.groupWeight,
    useGroupScoring: entry.useGroupScoring ?? null,
    probability: entry.probability ?? LORE_DEFAULTS.probability,
    // Absent: roll when a probability is given (SillyTavern's card import sets it true; its older files have no flag).
    useProbability: entry.useProbability ?? (entry.probability !== undefined && entry.probability !== null),
    caseSensitive: entry.caseSensitive ?? null,
    matchWholeWords: entry.matchWholeWords ?? null,
    scanDepth: decorators.scanDepth?.value ?? entry.scanDepth ?? null,
    delayUntilRecursion: dur === true ? 1 : typeof dur === 'number' ? dur : 0,
    excludeRecursion: entry.excludeRecursion ?? false,
    preventRecursion: entry.preventRecursion ?? false,
    ignoreBudget: entry.ignoreBudget ?? false,
    timed,
  };
}

/**
 * Every entry of the books in SillyTavern's scan order: higher `order` first; equal orders keep book order
 * (the NPC's own book first, then attached ones as given) and entry order.
 */
export function resolveEntries(books: readonly LorebookInput[]): ResolvedEntry[] {
  const all = books.flatMap((input) => {
    const ids = new Set(input.book.entries.flatMap((e) => (e.id === undefined ? [] : [String(e.id)])));
    return input.book.entries.map((e, i) => resolve(input, e, i, ids));
  });
  return all
    .map((e, i) => ({ e, i }))
    .sort((a, b) => b.e.order - a.e.order || a.i - b.i)
    .map(({ e }, sortIndex) => ({ ...e, sortIndex }));
}
