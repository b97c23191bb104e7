import type { CardData } from '../../../../shared/npc';

export interface MacroNames {
  /** The NPC's name, for {{char}} (and V1's <BOT>). */
  char: string;
  /** The designer's name in the chat, for {{user}} (and V1's <USER>). */
  user: string;
}

/**
 * Replaces {{char}} and {{user}} (any case, V1's <BOT>/<USER> too) in one pass, so a name that itself
 * contains a macro is left as written. `original` is given only where the spec allows {{original}}:
 * an NPC's system_prompt (the default system prompt) and post_history_instructions.
 */
export function replaceMacros(text: string, names: MacroNames, original?: string): string {
  return text.replace(/\{\{(char|user|original)\}\}|<(BOT|USER)>/gi, (whole, macro: string | undefined, v1: string | undefined) => {
    const name = (macro ?? v1 ?? '').toLowerCase();
    if (name === 'char' || name === 'bot') return names.char;
    if (name === 'user') return names.user;
    return original ?? whole;
  });
}

/** The first message and the alternate greetings, rendered, blanks left out: the swipes of a new chat's first message. */
export function renderGreetings(card: CardData, names: MacroNames): string[] {
  return [card.first_mes, ...card.alternate_greetings].map((g) => replaceMacros(g, names)).filter((g) => g.trim() !== '');
}
