import { useEffect, useState } from 'react';
import type { LorebookSummary } from '../../../shared/lorebook-record';
import { bridge } from '../bridge';
import { ErrorNote } from '../components/Field';
import { useAction } from '../hooks';

/** The NPC editor's "attached lorebooks" picker: standalone lorebooks this NPC scans beside its own. */
export function AttachedLorebooks(props: { value: string[]; world?: string; error?: string; onChange: (ids: string[]) => void }) {
  const [books, setBooks] = useState<LorebookSummary[] | null>(null);
  const { error, run } = useAction();
  useEffect(() => {
    void run(() => bridge().invoke('lorebook.list', {})).then((list) => list && setBooks(list));
  }, [run]);
  const linked = props.world ? books?.find((b) => b.name.trim().toLowerCase() === props.world!.trim().toLowerCase()) : undefined;
  const missing = props.value.filter((id) => books && !books.some((b) => b.id === id));
  const toggle = (id: string, on: boolean) => props.onChange(on ? [...props.value, id] : props.value.filter((x) => x !== id));

  return (
    <fieldset className="lore-attach" data-testid="npc-lorebooks">
      <legend>Attached lorebooks</legend>
      <ErrorNote error={error} testId="npc-lorebooks-error" />
      {books?.length === 0 && <p className="empty">No lorebooks yet: import one in the Lorebooks tab.</p>}
      {books?.map((b) => (
        <label key={b.id} className="inline check">
          <input
            type="checkbox"
            data-testid="npc-lorebook-attach"
            data-lorebook={b.name}
            checked={props.value.includes(b.id)}
            onChange={(e) => toggle(b.id, e.target.checked)}
          />{' '}
          {b.name} <small className="muted">({b.entries} entries)</small>
        </label>
      ))}
      {missing.length > 0 && <p className="field-error">Attached but no longer there (skipped when chatting): {missing.join(', ')}</p>}
      {props.world && (
        <p className="muted" data-testid="npc-lorebook-world">
          This card names the world “{props.world}”:{' '}
          {linked ? `the lorebook “${linked.name}” is used too.` : 'no lorebook has that name yet.'}
        </p>
      )}
      {props.error && <span className="field-error">{props.error}</span>}
    </fieldset>
  );
}
