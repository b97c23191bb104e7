import { useMemo, useState } from 'react';
import { LORE_DEFAULTS, LOREBOOK_LIMITS, type LoreEntry } from '../../../shared/lorebook';
import type { LorebookRecord } from '../../../shared/lorebook-record';
import type { NpcSummary } from '../../../shared/npc';
import { bridge } from '../bridge';
import { ErrorNote, Field } from '../components/Field';
import { useAction } from '../hooks';
import { LoreEntryEditor } from './LoreEntryEditor';
import { LoreTryBox } from './LoreTryBox';
import { blankEntry, fieldErrors, withField, type LorebookDraftState } from './lorebook-form';

/**
 * A lorebook's settings and every field of every entry, checked as you type (the errors show under the
 * field, with the limit), saved with the schema the host uses; and a box to try a message on it unsaved.
 */
export function LorebookEditor(props: {
  initial: LorebookDraftState;
  npcs: NpcSummary[];
  onSaved: (record: LorebookRecord) => void;
  onCancel?: () => void;
  /** Saves somewhere else than the lorebook store (an NPC card's own book); rejects with what went wrong. */
  save?: (draft: LorebookDraftState) => Promise<void>;
  /** The NPC whose other books the "try a message" box includes by default. */
  tryWithNpc?: string;
}) {
  const [draft, setDraft] = useState<LorebookDraftState>(props.initial);
  // New entries open; keys stay stable while entries are added and removed.
  const [keys, setKeys] = useState(() => draft.book.entries.map((_, i) => `e${i}`));
  const [opened, setOpened] = useState<Set<string>>(new Set());
  const [showErrors, setShowErrors] = useState(false);
  const errors = useMemo(() => fieldErrors(draft), [draft]);
  const { busy, error, run } = useAction();
  const setBook = (field: string, value: unknown) => setDraft((d) => ({ ...d, book: withField(d.book, field, value) }));
  const setEntry = (i: number, entry: LoreEntry) =>
    setDraft((d) => ({ ...d, book: { ...d.book, entries: d.book.entries.map((e, j) => (j === i ? entry : e)) } }));
  const count = Object.keys(errors).length;

  function addEntry() {
    const key = `n${Date.now()}`;
    setKeys((k) => [...k, key]);
    setOpened((o) => new Set(o).add(key));
    setDraft((d) => ({ ...d, book: { ...d.book, entries: [...d.book.entries, blankEntry(d.book)] } }));
  }
  function removeEntry(i: number) {
    setKeys((k) => k.filter((_, j) => j !== i));
    setDraft((d) => ({ ...d, book: { ...d.book, entries: d.book.entries.filter((_, j) => j !== i) } }));
  }
  async function save() {
    setShowErrors(true);
    if (count) return;
    if (props.save) {
      const save = props.save;
      await run(() => save(draft));
      return;
    }
    const saved = await run(() =>
      bridge().invoke('lorebook.save', { ...(draft.id ? { id: draft.id } : {}), name: draft.name, book: draft.book }),
    );
    if (saved) props.onSaved(saved);
  }
  const shown = (key: string) => errors[key];

  return (
    <form
      className="lorebook-editor"
      data-testid="lorebook-editor"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <div className="grid">
        <Field label="Name (a card's world link finds it by this name)" error={shown('name')}>
          <input data-testid="lorebook-field-name" value={draft.name} onChange={(e) => setDraft((d) => ({ ...d, name: e.target.value }))} />
        </Field>
        <Field label="Messages to search (scan depth)" error={shown('book.scanDepth')}>
          <input
            type="number"
            min={0}
            max={LOREBOOK_LIMITS.scanDepth}
            data-testid="lorebook-field-scanDepth"
            placeholder={`${LORE_DEFAULTS.scanDepth} (studio default)`}
            value={draft.book.scanDepth ?? ''}
            onChange={(e) => setBook('scanDepth', e.target.value === '' ? undefined : Number(e.target.value))}
          />
        </Field>
        <Field label="Token budget for its entries" error={shown('book.tokenBudget')}>
          <input
            type="number"
            min={0}
            max={LOREBOOK_LIMITS.tokenBudget}
            data-testid="lorebook-field-tokenBudget"
            placeholder="no limit"
            value={draft.book.tokenBudget ?? ''}
            onChange={(e) => setBook('tokenBudget', e.target.value === '' ? undefined : Number(e.target.value))}
          />
        </Field>
        <label className="inline check">
          <input
            type="checkbox"
            data-testid="lorebook-field-recursiveScanning"
            checked={draft.book.recursiveScanning ?? false}
            onChange={(e) => setBook('recursiveScanning', e.target.checked)}
          />{' '}
          Entries can trigger other entries (recursive scanning)
        </label>
      </div>
      <Field label="Description" wide error={shown('book.description')}>
        <textarea
          data-testid="lorebook-field-description"
          rows={2}
          value={draft.book.description ?? ''}
          onChange={(e) => setBook('description', e.target.value || undefined)}
        />
      </Field>

      <h3>
        Entries <small className="muted">({draft.book.entries.length})</small>
      </h3>
      {shown('book.entries') && <span className="field-error">{shown('book.entries')}</span>}
      {draft.book.entries.map((entry, i) => (
        <LoreEntryEditor
          key={keys[i]}
          entry={entry}
          index={i}
          errors={errors}
          open={opened.has(keys[i]!) || (showErrors && Object.keys(errors).some((k) => k.startsWith(`entries.${i}.`)))}
          onChange={(e) => setEntry(i, e)}
          onRemove={() => removeEntry(i)}
        />
      ))}
      <button type="button" data-testid="lorebook-entry-add" onClick={addEntry}>
        Add an entry
      </button>

      <ErrorNote error={error} testId="lorebook-save-error" />
      {showErrors && count > 0 && (
        <p className="field-error" data-testid="lorebook-errors">
          {count} field(s) to fix before saving; each says why under it.
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary" data-testid="lorebook-save" disabled={busy}>
          {busy ? 'Saving…' : 'Save lorebook'}
        </button>
        {props.onCancel && (
          <button type="button" data-testid="lorebook-cancel" onClick={props.onCancel}>
            Discard changes
          </button>
        )}
      </div>
      <LoreTryBox draft={draft} npcs={props.npcs} initialNpc={props.tryWithNpc} />
    </form>
  );
}
