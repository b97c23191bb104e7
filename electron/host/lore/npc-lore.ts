import { characterBookToLorebook } from '../../../shared/lorebook-convert';
import { cardBookId, type LorebookRecord } from '../../../shared/lorebook-record';
import { QUIET_SKIP_REASONS, type ActivationTrace, type ReplyLoreTrace, type TracedBook } from '../../../shared/lorebook-trace';
import type { CardData, Npc } from '../../../shared/npc';
import type { LorebookInput } from './resolved-entry';
import { hashSeed } from './seeded-random';

/** What the prompt needs of the lorebook store. */
export interface LorebookLookup {
  find(id: string): LorebookRecord | null;
  findByName(name: string): LorebookRecord | null;
}

export interface NpcBooks {
  books: LorebookInput[];
  named: TracedBook[];
  /** Attached ids no lorebook has any more, and a `world` link that names none. */
  missing: string[];
}

/** The card's `extensions.world`: the name of the SillyTavern world (lorebook) the card is linked to. */
export function worldLinkOf(card: CardData): string | null {
  const world = card.extensions?.world;
  return typeof world === 'string' && world.trim() ? world.trim() : null;
}

/**
 * The books an NPC's prompt scans, in scan order: the card's own book, the attached lorebooks in the order
 * they were attached, then the lorebook its card's `extensions.world` names (unless already attached).
 */
export function npcLorebooks(npc: Pick<Npc, 'id' | 'card' | 'studio'>, store: LorebookLookup | null): NpcBooks {
  const books: LorebookInput[] = [];
  const named: TracedBook[] = [];
  const missing: string[] = [];
  if (npc.card.character_book?.entries.length) {
    const id = cardBookId(npc.id);
    books.push({ id, book: characterBookToLorebook(npc.card.character_book) });
    named.push({ id, name: npc.card.character_book.name?.trim() || `${npc.card.name}'s own lorebook`, how: 'card' });
  }
  const add = (record: LorebookRecord, how: TracedBook['how']) => {
    if (books.some((b) => b.id === record.id)) return;
    books.push({ id: record.id, book: record.book });
    named.push({ id: record.id, name: record.name, how });
  };
  for (const id of npc.studio.lorebooks ?? []) {
    const record = store?.find(id);
    if (record) add(record, 'attached');
    else missing.push(id);
  }
  const world = worldLinkOf(npc.card);
  if (world) {
    const record = store?.findByName(world);
    if (record) add(record, 'linked');
    else missing.push(`world "${world}"`);
  }
  return { books, named, missing };
}

/** The seed of a reply's draws: a hash of its turn id, so a reply's trace can be replayed. */
export function seedOf(turnId: string): number {
  return hashSeed('lore', turnId) | 0;
}

/** The trace as a reply keeps it (shared/lorebook-trace.ts replyLoreTraceSchema). */
export function toReplyTrace(trace: ActivationTrace, books: TracedBook[]): ReplyLoreTrace {
  const quiet = trace.skipped.filter((s) => QUIET_SKIP_REASONS.includes(s.reason));
  return { ...trace, skipped: trace.skipped.filter((s) => !QUIET_SKIP_REASONS.includes(s.reason)), books, quietSkips: quiet.length };
}
