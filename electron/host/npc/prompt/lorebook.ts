import type { CharacterBook, LorebookEntry } from '../npc-schema';
import { estimateTokens } from './tokens';

/** How many recent messages are scanned for keys when the book gives no scan_depth (SillyTavern's default). */
export const DEFAULT_SCAN_DEPTH = 2;

export type TriggerReason = 'constant' | 'key' | 'recursive';

export interface TriggeredEntry {
  /** Index in character_book.entries. */
  index: number;
  entry: LorebookEntry;
  /** The content as it goes into the prompt (macros replaced). */
  content: string;
  position: 'before_char' | 'after_char';
  reason: TriggerReason;
  /** The primary key that matched (and the secondary one, for selective entries). */
  matchedKeys: string[];
  tokens: number;
}

export interface LorebookSelection {
  /** In prompt order: insertion_order ascending (lower goes higher), then book order. */
  included: TriggeredEntry[];
  /** Triggered, but left out because the book's token_budget was spent; reported, never silent. */
  droppedForBudget: TriggeredEntry[];
  scanDepth: number;
  tokenBudget: number | null;
  tokens: number;
}

/**
 * Which entries of a character book go into the prompt for these recent messages (oldest first).
 *
 * An enabled entry is included when it is `constant`, or one of its `keys` occurs in the last `scan_depth`
 * messages (substring; case-insensitive unless `case_sensitive`) and, when it is `selective` with
 * `secondary_keys`, one of those occurs too. With `recursive_scanning`, included entries' content is
 * scanned as well, until nothing new triggers. Entries are then taken by `priority` (highest first,
 * missing = 0; ties by insertion_order, then book order) until the next one would pass `token_budget`;
 * that one and all after it are dropped and reported.
 */
export function selectLorebookEntries(
  book: CharacterBook | undefined,
  recentMessages: readonly string[],
  render: (text: string) => string = (t) => t,
): LorebookSelection {
  const scanDepth = book?.scan_depth ?? DEFAULT_SCAN_DEPTH;
  const tokenBudget = book?.token_budget ?? null;
  if (!book) return { included: [], droppedForBudget: [], scanDepth, tokenBudget, tokens: 0 };

  const triggered = new Map<number, TriggeredEntry>();
  let scanText = scanDepth > 0 ? recentMessages.slice(-scanDepth).join('\n') : '';
  let recursive = false;
  for (;;) {
    const fresh: TriggeredEntry[] = [];
    book.entries.forEach((entry, index) => {
      if (!entry.enabled || triggered.has(index)) return;
      const matched = entry.constant ? [] : matchKeys(entry, scanText);
      if (!entry.constant && !matched) return;
      const content = render(entry.content);
      fresh.push({
        index, entry, content, position: entry.position ?? 'before_char',
        reason: entry.constant ? 'constant' : recursive ? 'recursive' : 'key',
        matchedKeys: matched ?? [], tokens: estimateTokens(content),
      });
    });
    for (const t of fresh) triggered.set(t.index, t);
    if (!book.recursive_scanning || fresh.length === 0) break;
    scanText += '\n' + fresh.map((t) => t.content).join('\n');
    recursive = true;
  }

  const byPriority = [...triggered.values()].sort(
    (a, b) => (b.entry.priority ?? 0) - (a.entry.priority ?? 0) || a.entry.insertion_order - b.entry.insertion_order || a.index - b.index,
  );
  const included: TriggeredEntry[] = [];
  const droppedForBudget: TriggeredEntry[] = [];
  let tokens = 0;
  for (const t of byPriority) {
    // Once one entry does not fit, every entry after it is dropped too, so a lower-priority entry is
    // never kept in place of a higher-priority one.
    if (droppedForBudget.length || (tokenBudget !== null && tokens + t.tokens > tokenBudget)) {
      droppedForBudget.push(t);
    } else {
      included.push(t);
      tokens += t.tokens;
    }
  }
  included.sort((a, b) => a.entry.insertion_order - b.entry.insertion_order || a.index - b.index);
  return { included, droppedForBudget, scanDepth, tokenBudget, tokens };
}

/** The keys that made the entry trigger, or null. */
function matchKeys(entry: LorebookEntry, text: string): string[] | null {
  const primary = firstMatch(entry.keys, text, entry.case_sensitive ?? false);
  if (primary === null) return null;
  const secondary = entry.secondary_keys?.filter((k) => k.trim() !== '') ?? [];
  if (!entry.selective || secondary.length === 0) return [primary];
  const second = firstMatch(secondary, text, entry.case_sensitive ?? false);
  return second === null ? null : [primary, second];
}

function firstMatch(keys: readonly string[], text: string, caseSensitive: boolean): string | null {
  const haystack = caseSensitive ? text : text.toLowerCase();
  for (const key of keys) {
    const k = key.trim();
    if (k && haystack.includes(caseSensitive ? k : k.toLowerCase())) return key;
  }
  return null;
}
