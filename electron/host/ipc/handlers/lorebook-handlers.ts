import type { LoreTryResult } from '../../../../shared/contract';
import type { LorebookRecord } from '../../../../shared/lorebook-record';
import type { LoreMessage } from '../../lore/activation';
import { activateLore } from '../../lore/activation';
import { allNpcs, lorebookSummaries, setAttachments, summaryOf } from '../../lore/lorebook-attachments';
import { npcLorebooks, type NpcBooks } from '../../lore/npc-lore';
import { budgetOf, loreBudget } from '../../npc/prompt/assemble';
import { replaceMacros } from '../../npc/prompt/macros';
import type { Handlers } from '../router';
import type { StudioServices } from './services';

type LorebookChannels =
  | 'lorebook.list'
  | 'lorebook.get'
  | 'lorebook.save'
  | 'lorebook.delete'
  | 'lorebook.import'
  | 'lorebook.export'
  | 'lorebook.attach'
  | 'lorebook.try';

export function lorebookHandlers(s: StudioServices): Pick<Handlers, LorebookChannels> {
  return {
    'lorebook.list': async () => lorebookSummaries(s.lorebooks, s.npcs),
    'lorebook.get': async ({ id }) => s.lorebooks.get(id),
    'lorebook.save': async (draft) => s.lorebooks.save(draft),
    'lorebook.delete': async ({ id }) => {
      s.lorebooks.get(id);
      // Detached first: an NPC never points at a lorebook that is gone.
      const detachedFrom = await setAttachments(id, [], s.npcs);
      await s.lorebooks.delete(id);
      return { deleted: true, detachedFrom };
    },
    'lorebook.import': async ({ fileName, text }) => s.lorebooks.import(fileName, text),
    'lorebook.export': async ({ id, format }) => {
      const file = s.lorebooks.export(id, format);
      return { fileName: file.fileName, mime: 'application/json', text: file.text };
    },
    'lorebook.attach': async ({ id, npcIds }) => {
      const record = s.lorebooks.get(id);
      await setAttachments(id, npcIds, s.npcs);
      return summaryOf(record, allNpcs(s.npcs));
    },
    'lorebook.try': async (input) => {
      const npc = input.npcId ? s.npcs.get(input.npcId) : null;
      const books = npc ? npcLorebooks(npc, s.lorebooks) : { books: [], named: [], missing: [] };
      if (input.book) withTried(books, { id: input.book.id ?? 'tried', name: input.book.name, book: input.book.book });
      const history: LoreMessage[] = [...input.history, { role: 'user', content: input.message }];
      // With an NPC, as its chat would: its lore budget and its name for {{char}}.
      const trace = activateLore(books.books, history, {
        seed: input.seed,
        ...(npc
          ? {
              tokenBudget: loreBudget(books.books, budgetOf(npc.studio)),
              render: (t: string) => replaceMacros(t, { char: npc.card.name, user: 'User' }),
            }
          : {}),
      });
      return { trace, books: books.named, missing: books.missing } satisfies LoreTryResult;
    },
  };
}

/** The book being edited, in place of its saved version (or added, when the NPC does not use it). */
function withTried(books: NpcBooks, tried: Pick<LorebookRecord, 'id' | 'name' | 'book'>): void {
  const at = books.books.findIndex((b) => b.id === tried.id);
  if (at >= 0) {
    books.books[at] = { id: tried.id, book: tried.book };
    books.named[at] = { ...books.named[at]!, name: tried.name };
  } else {
    books.books.push({ id: tried.id, book: tried.book });
    books.named.push({ id: tried.id, name: tried.name, how: 'tried' });
  }
}
