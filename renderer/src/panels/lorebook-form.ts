import { formatIssuePath } from '../../../shared/errors';
import type { LoreEntry, Lorebook } from '../../../shared/lorebook';
import { lorebookDraftSchema } from '../../../shared/lorebook-record';

/** The lorebook editor's state: the book as the studio models it (absent fields stay absent). */
export interface LorebookDraftState {
  id?: string;
  name: string;
  book: Lorebook;
}

/** Field errors by where the editor shows them: "name", "book.scanDepth", "entries.3.keys". */
export type FieldErrors = Record<string, string>;

export function fieldErrors(draft: LorebookDraftState): FieldErrors {
  const checked = lorebookDraftSchema.safeParse({ ...(draft.id ? { id: draft.id } : {}), name: draft.name, book: draft.book });
  if (checked.success) return {};
  const errors: FieldErrors = {};
  for (const issue of checked.error.issues) {
    const [head, second, index, field] = issue.path;
    const key =
      head === 'book' && second === 'entries' && typeof index === 'number'
        ? `entries.${index}.${typeof field === 'string' ? field : '(entry)'}`
        : head === 'book' && typeof second === 'string'
          ? `book.${second}`
          : formatIssuePath(issue.path) || 'name';
    errors[key] ??= issue.message;
  }
  return errors;
}

/** Sets a field, or removes it when `value` is undefined (so an untouched file keeps its exact shape). */
export function withField<T extends object>(o: T, field: string, value: unknown): T {
  const copy = { ...o } as Record<string, unknown>;
  if (value === undefined) delete copy[field];
  else copy[field] = value;
  return copy as T;
}

/** Keys are edited one per line (a regex key may hold a comma). */
export const keysToText = (keys: readonly string[] | undefined) => (keys ?? []).join('\n');
export const textToKeys = (text: string) =>
  text
    .split('\n')
    .map((k) => k.trim())
    .filter((k) => k !== '');

export function entryTitle(e: LoreEntry, index: number): string {
  return e.comment?.trim() || e.name?.trim() || (e.keys ?? []).filter(Boolean).slice(0, 3).join(', ') || `Entry ${index + 1}`;
}

export function blankEntry(book: Lorebook): LoreEntry {
  const ids = book.entries.map((e) => (typeof e.id === 'number' ? e.id : -1));
  return { id: Math.max(-1, ...ids) + 1, keys: [], content: '', comment: '', enabled: true };
}
