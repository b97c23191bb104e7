import type { LorePosition, LoreRole } from '../../shared/lorebook';
import type { ActivatedEntry, FiredTrace, MatchSource, TracedBook } from '../../shared/lorebook-trace';

/** Lorebook terms in a designer's words, for the editor, the "try a message" box and the chat. */

export const POSITION_WORDS: Record<LorePosition, string> = {
  before_char: 'Before the character description',
  after_char: 'After the character description',
  an_top: "Top of the author's note",
  an_bottom: "Bottom of the author's note",
  at_depth: 'In the chat, a number of messages from the end',
  em_top: 'Before the example dialogue',
  em_bottom: 'After the example dialogue',
  outlet: 'Outlet (only where a prompt names it)',
};

export const ROLE_WORDS: Record<LoreRole, string> = {
  system: 'as a system note',
  user: 'as if the user said it',
  assistant: 'as if the NPC said it',
};

export const LOGIC_WORDS = {
  and_any: 'and any of the extra keywords',
  and_all: 'and all of the extra keywords',
  not_any: 'and none of the extra keywords',
  not_all: 'and not all of the extra keywords',
} as const;

export function placeWords(e: Pick<ActivatedEntry, 'position' | 'depth' | 'role'>): string {
  if (e.position === 'at_depth') return `in the chat, ${e.depth ?? 0} message(s) from the end, ${ROLE_WORDS[e.role]}`;
  return typeof e.position === 'number' ? `position ${e.position}` : POSITION_WORDS[e.position].toLowerCase();
}

function whereWords(m: MatchSource | undefined): string {
  if (!m) return '';
  if (m.kind === 'message')
    return m.role === 'user' ? ` in a message of the user: “${m.excerpt}”` : ` in a reply of the NPC: “${m.excerpt}”`;
  if (m.kind === 'messages') return ` in the recent messages: “${m.excerpt}”`;
  return ` in the text of “${m.from.comment ?? `entry ${m.from.entry}`}”`;
}

/** Why an entry fired, as one phrase. */
export function firedWords(t: FiredTrace): string {
  const parts: string[] = [];
  switch (t.reason) {
    case 'constant':
      parts.push('always on');
      break;
    case 'sticky':
      parts.push('still active from an earlier reply (sticky)');
      break;
    case 'decorator':
      parts.push(`switched on by ${t.decorator ?? 'a decorator'}`);
      break;
    case 'recursion':
      parts.push(`keyword “${t.key ?? ''}” found${whereWords(t.matchedIn)} (another entry that fired)`);
      break;
    default:
      parts.push(`keyword “${t.key ?? ''}”${t.secondaryKey ? ` with “${t.secondaryKey}”` : ''} found${whereWords(t.matchedIn)}`);
  }
  if (t.probability) parts.push(`passed its ${t.probability.chance}% chance (rolled ${t.probability.roll.toFixed(0)})`);
  if (t.group) parts.push(`won its group “${t.group.group}”`);
  return parts.join('; ');
}

export function bookName(books: readonly TracedBook[], id: string): string {
  return books.find((b) => b.id === id)?.name ?? id;
}
