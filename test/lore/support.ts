import { lorebookSchema, type LoreEntry, type Lorebook } from '../../shared/lorebook';
import { activateLore, type ActivationOptions, type LoreMessage } from '../../electron/host/lore/activation';
import type { LorebookInput } from '../../electron/host/lore/resolved-entry';

/** A validated book; each entry's comment defaults to "e<index>" so results read as names. */
export function book(entries: Partial<LoreEntry>[], extra: Partial<Lorebook> = {}): Lorebook {
  return lorebookSchema.parse({ ...extra, entries: entries.map((e, i) => ({ comment: `e${i}`, content: `content of e${i}`, ...e })) });
}

/** A chat, oldest first: user and assistant turns alternate, starting with the user. */
export function chat(...texts: string[]): LoreMessage[] {
  return texts.map((content, i) => ({ role: i % 2 === 0 ? 'user' : 'assistant', content }));
}

export function run(books: Lorebook | LorebookInput[], history: LoreMessage[], options: Partial<ActivationOptions> = {}) {
  const inputs = Array.isArray(books) ? books : [{ id: 'book', book: books }];
  return activateLore(inputs, history, { seed: 1, ...options });
}

/** Comments of the activated entries, in insertion order. */
export function fired(books: Lorebook | LorebookInput[], history: LoreMessage[], options: Partial<ActivationOptions> = {}): string[] {
  return run(books, history, options).activated.map((a) => a.comment ?? a.entry);
}

export function skipReason(result: ReturnType<typeof run>, comment: string) {
  return result.skipped.find((s) => s.comment === comment)?.reason;
}
