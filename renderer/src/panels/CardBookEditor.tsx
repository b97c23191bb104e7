import { useEffect, useState } from 'react';
import { characterBookToLorebook, lorebookToCharacterBook } from '../../../shared/lorebook-convert';
import { cardBookId } from '../../../shared/lorebook-record';
import type { Npc, NpcSummary } from '../../../shared/npc';
import { bridge } from '../bridge';
import { ErrorNote } from '../components/Field';
import { useAction } from '../hooks';
import { LorebookEditor } from './LorebookEditor';
import type { LorebookDraftState } from './lorebook-form';

/**
 * The lorebook inside an NPC's card, in the full lorebook editor: every field, saved back into the card (it
 * stays embedded, and exports with the card).
 */
export function CardBookEditor(props: { npcId: string; npcs: NpcSummary[]; onSaved: () => Promise<void> }) {
  const [npc, setNpc] = useState<Npc | null>(null);
  const [version, setVersion] = useState(0);
  const { error, run } = useAction();
  useEffect(() => {
    void run(() => bridge().invoke('npc.get', { id: props.npcId })).then((n) => n && setNpc(n));
  }, [props.npcId, run, version]);
  if (!npc) return <ErrorNote error={error} testId="card-book-error" />;

  const book = npc.card.character_book;
  const initial: LorebookDraftState = {
    id: cardBookId(npc.id),
    name: book?.name?.trim() || `${npc.card.name}'s own lorebook`,
    book: book ? characterBookToLorebook(book) : { entries: [] },
  };
  async function save(draft: LorebookDraftState) {
    const { id, studio, card } = npc!;
    // The name the editor shows is the book's own only when the card gave one.
    const named = book?.name !== undefined || draft.name !== initial.name ? { ...draft.book, name: draft.name } : draft.book;
    await bridge().invoke('npc.save', { id, studio, card: { ...card, character_book: lorebookToCharacterBook(named) } });
    await props.onSaved();
    setVersion((v) => v + 1);
  }

  return (
    <>
      <h2 data-testid="card-book-title">{initial.name}</h2>
      <p className="muted">Inside {npc.card.name}'s card: saved into the card, and exported with it.</p>
      <LorebookEditor
        key={`${npc.id}-${npc.updatedAt}`}
        initial={initial}
        npcs={props.npcs}
        save={save}
        onSaved={() => undefined}
        tryWithNpc={npc.id}
      />
    </>
  );
}
