import type { ActivatedEntry } from '../../../../shared/lorebook-trace';
import type { ChatMessage } from '../../processors/processor';

export interface PlacedLore {
  /** System prompt, before the card's description (before_char, and positions the studio has no slot for). */
  beforeCard: string[];
  /** System prompt, after the card (after_char; author's-note positions, as the studio has no author's note). */
  afterCard: string[];
  /** Around the example dialogue (em_top, em_bottom). */
  beforeExamples: string[];
  afterExamples: string[];
  /** at_depth entries as messages of their role. */
  atDepth: (ChatMessage & { depth: number })[];
  /** The entries behind each list above, in the same order (for the prompt's sources). */
  entries: Record<'beforeCard' | 'afterCard' | 'beforeExamples' | 'afterExamples' | 'atDepth', ActivatedEntry[]>;
  /** The chat with the at_depth messages in: depth 0 after the last message, depth N before the last N. */
  insertAtDepth(chat: readonly ChatMessage[]): ChatMessage[];
}

/**
 * Where each activated entry goes, in the trace's insertion order. SillyTavern's outlet entries are only
 * inserted where a prompt names their outlet, which the studio's prompt does not: they are left out.
 */
export function placeLore(activated: readonly ActivatedEntry[]): PlacedLore {
  const entries: PlacedLore['entries'] = { beforeCard: [], afterCard: [], beforeExamples: [], afterExamples: [], atDepth: [] };
  const placed: Omit<PlacedLore, 'insertAtDepth'> = {
    beforeCard: [],
    afterCard: [],
    beforeExamples: [],
    afterExamples: [],
    atDepth: [],
    entries,
  };
  const put = (list: 'beforeCard' | 'afterCard' | 'beforeExamples' | 'afterExamples', e: ActivatedEntry) => {
    placed[list].push(e.content);
    entries[list].push(e);
  };
  for (const e of activated) {
    switch (e.position) {
      case 'after_char':
      case 'an_top':
      case 'an_bottom':
        put('afterCard', e);
        break;
      case 'em_top':
        put('beforeExamples', e);
        break;
      case 'em_bottom':
        put('afterExamples', e);
        break;
      case 'at_depth':
        placed.atDepth.push({ role: e.role, content: e.content, depth: e.depth ?? 0 });
        entries.atDepth.push(e);
        break;
      case 'outlet':
        break;
      default:
        put('beforeCard', e);
    }
  }
  return {
    ...placed,
    insertAtDepth(chat) {
      const out = [...chat];
      for (const m of placed.atDepth) {
        const at = Math.max(0, chat.length - m.depth);
        // Insert after messages already inserted at the same point, so same-depth entries keep insertion order.
        out.splice(indexAfterOriginal(out, chat, at), 0, { role: m.role, content: m.content });
      }
      return out;
    },
  };
}

/** The index in `out` just before the original message `at` (or the end). */
function indexAfterOriginal(out: ChatMessage[], chat: readonly ChatMessage[], at: number): number {
  if (at >= chat.length) return out.length;
  return out.indexOf(chat[at]!);
}
