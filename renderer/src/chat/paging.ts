import type { TranscriptTurn } from '../../../shared/chat';

/**
 * The newest page read again, put in place of the turns it covers: older turns already read (before the page's
 * first turn) are kept; when the page's first turn is not among them (a deleted or replaced history) the page
 * alone is the conversation.
 */
export function mergeNewest(current: TranscriptTurn[], page: TranscriptTurn[]): TranscriptTurn[] {
  const first = page[0];
  if (!first) return [];
  const at = current.findIndex((t) => t.id === first.id);
  return at > 0 ? [...current.slice(0, at), ...page] : page;
}

/** An older page put in front, without turns already shown (a page boundary that moved while a reply was saved). */
export function prependOlder(current: TranscriptTurn[], older: TranscriptTurn[]): TranscriptTurn[] {
  const shown = new Set(current.map((t) => t.id));
  return [...older.filter((t) => !shown.has(t.id)), ...current];
}
