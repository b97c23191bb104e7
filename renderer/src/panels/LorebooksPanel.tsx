import { useCallback, useEffect, useRef, useState } from 'react';
import type { LorebookRecord, LorebookSummary } from '../../../shared/lorebook-record';
import type { NpcSummary } from '../../../shared/npc';
import { bridge } from '../bridge';
import { ErrorNote } from '../components/Field';
import { download } from '../files';
import { useAction } from '../hooks';
import { CardBookEditor } from './CardBookEditor';
import { LorebookEditor } from './LorebookEditor';

const SOURCE_WORDS: Record<LorebookSummary['source'], string> = {
  world_info: 'SillyTavern World Info',
  lorebook_v3: 'V3 lorebook',
  character_book: "a card's lorebook",
  studio: 'made here',
};

/**
 * Standalone lorebooks (world books): import a SillyTavern World Info or V3 lorebook file, edit every field,
 * try a message, export in either format, and attach to any number of NPCs.
 */
export function LorebooksPanel(props: { npcs: NpcSummary[]; onNpcsChanged: () => Promise<void> }) {
  const [books, setBooks] = useState<LorebookSummary[]>([]);
  const [selected, setSelected] = useState<LorebookRecord | null>(null);
  const [creating, setCreating] = useState(false);
  /** An NPC whose card's own lorebook is open in the editor. */
  const [cardBookOf, setCardBookOf] = useState<string | null>(null);
  const [attach, setAttach] = useState<Set<string>>(new Set());
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [version, setVersion] = useState(0);
  const fileInput = useRef<HTMLInputElement>(null);
  const { busy, error, clearError, run } = useAction();

  const reload = useCallback(async () => {
    const list = await run(() => bridge().invoke('lorebook.list', {}));
    if (list) setBooks(list);
    return list;
  }, [run]);
  useEffect(() => {
    void reload();
  }, [reload]);

  const summary = books.find((b) => b.id === selected?.id) ?? null;
  useEffect(() => {
    setAttach(new Set(summary?.npcs.filter((n) => n.how === 'attached').map((n) => n.id) ?? []));
  }, [summary]);

  async function open(id: string) {
    const record = await run(() => bridge().invoke('lorebook.get', { id }));
    if (record) {
      setSelected(record);
      setCreating(false);
      setCardBookOf(null);
      setConfirmDelete(false);
      setVersion((v) => v + 1);
    }
  }
  async function importFile(file: File) {
    const record = await run(async () => bridge().invoke('lorebook.import', { fileName: file.name, text: await file.text() }));
    if (record) {
      await reload();
      await open(record.id);
    }
  }
  async function exportAs(format: 'st' | 'v3') {
    if (!selected) return;
    const file = await run(() => bridge().invoke('lorebook.export', { id: selected.id, format }));
    if (file) download(file.fileName, file.mime, file.text);
  }
  async function saveAttachments() {
    if (!selected) return;
    const done = await run(() => bridge().invoke('lorebook.attach', { id: selected.id, npcIds: [...attach] }));
    if (done) {
      await reload();
      await props.onNpcsChanged();
    }
  }
  async function remove() {
    if (!selected) return;
    const done = await run(() => bridge().invoke('lorebook.delete', { id: selected.id }));
    if (done) {
      setSelected(null);
      setConfirmDelete(false);
      await reload();
      await props.onNpcsChanged();
    }
  }
  async function saved(record: LorebookRecord) {
    setSelected(record);
    setCreating(false);
    setVersion((v) => v + 1);
    await reload();
  }

  const linked = summary?.npcs.filter((n) => n.how === 'linked') ?? [];
  return (
    <div className="npc-panel lorebooks-panel" data-testid="panel-lorebooks">
      <section className="panel npc-list">
        <div className="toolbar">
          <strong>Lorebooks</strong>
          <span className="spacer" />
          <button
            data-testid="lorebook-new"
            onClick={() => {
              setSelected(null);
              setCardBookOf(null);
              setCreating(true);
              setVersion((v) => v + 1);
            }}
          >
            New
          </button>
          <button data-testid="lorebook-import" onClick={() => fileInput.current?.click()} disabled={busy}>
            Import .json
          </button>
          <input
            ref={fileInput}
            type="file"
            accept=".json,application/json"
            hidden
            data-testid="lorebook-import-file"
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (file) void importFile(file);
            }}
          />
        </div>
        <small className="muted">SillyTavern World Info files and V3 lorebooks (lorebook_v3).</small>
        <ErrorNote error={error} testId="lorebooks-error" onDismiss={clearError} />
        {books.length === 0 && <p className="empty">No lorebooks yet: import one, or make a new one.</p>}
        <ul>
          {books.map((b) => (
            <li key={b.id}>
              <button
                className={`npc-item${selected?.id === b.id ? ' selected' : ''}`}
                data-testid="lorebook-item"
                data-id={b.id}
                onClick={() => void open(b.id)}
              >
                <span>{b.name}</span>
                <small>
                  {b.entries} entries · {b.npcs.length ? `used by ${b.npcs.map((n) => n.name).join(', ')}` : 'not attached'}
                </small>
              </button>
            </li>
          ))}
        </ul>
        {props.npcs.length > 0 && (
          <>
            <div className="toolbar">
              <strong>Inside NPC cards</strong>
            </div>
            <small className="muted">Each NPC's own lorebook, kept in its card.</small>
            <ul>
              {props.npcs.map((n) => (
                <li key={n.id}>
                  <button
                    className={`npc-item${cardBookOf === n.id ? ' selected' : ''}`}
                    data-testid="card-book-item"
                    data-npc={n.name}
                    onClick={() => {
                      setSelected(null);
                      setCreating(false);
                      setCardBookOf(n.id);
                    }}
                  >
                    <span>{n.name}'s own lorebook</span>
                  </button>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
      <section className="panel">
        {!selected && !creating && !cardBookOf && <p className="empty">Pick a lorebook, import one, or make a new one.</p>}
        {cardBookOf && <CardBookEditor key={cardBookOf} npcId={cardBookOf} npcs={props.npcs} onSaved={props.onNpcsChanged} />}
        {creating && (
          <LorebookEditor
            key={`new-${version}`}
            initial={{ name: '', book: { entries: [] } }}
            npcs={props.npcs}
            onSaved={(r) => void saved(r)}
            onCancel={() => setCreating(false)}
          />
        )}
        {selected && (
          <>
            <h2 data-testid="lorebook-title">{selected.name}</h2>
            <p className="muted">
              {selected.book.entries.length} entries · from {SOURCE_WORDS[selected.source]}
            </p>
            <div className="actions">
              <button data-testid="lorebook-export-st" onClick={() => void exportAs('st')}>
                Export for SillyTavern (World Info)
              </button>
              <button data-testid="lorebook-export-v3" onClick={() => void exportAs('v3')}>
                Export as V3 lorebook
              </button>
              <button className="danger" data-testid="lorebook-delete" onClick={() => setConfirmDelete(true)}>
                Delete…
              </button>
            </div>
            {confirmDelete && (
              <div className="confirm" data-testid="lorebook-delete-confirm">
                Delete “{selected.name}”? NPCs it is attached to lose it.
                <button className="danger" data-testid="lorebook-delete-yes" onClick={() => void remove()}>
                  Delete
                </button>
                <button onClick={() => setConfirmDelete(false)}>Keep it</button>
              </div>
            )}
            <fieldset className="lore-attach" data-testid="lorebook-attach">
              <legend>Attached to</legend>
              {props.npcs.length === 0 && <p className="empty">No NPCs yet.</p>}
              {props.npcs.map((n) => (
                <label key={n.id} className="inline check">
                  <input
                    type="checkbox"
                    data-testid="lorebook-attach-npc"
                    data-npc={n.name}
                    checked={attach.has(n.id)}
                    onChange={(e) =>
                      setAttach((a) => {
                        const next = new Set(a);
                        if (e.target.checked) next.add(n.id);
                        else next.delete(n.id);
                        return next;
                      })
                    }
                  />{' '}
                  {n.name}
                </label>
              ))}
              {linked.length > 0 && (
                <p className="muted" data-testid="lorebook-linked">
                  Also used by {linked.map((n) => n.name).join(', ')}: their card names this lorebook as its world.
                </p>
              )}
              <button data-testid="lorebook-attach-save" onClick={() => void saveAttachments()} disabled={busy}>
                Save attachments
              </button>
            </fieldset>
            <LorebookEditor
              key={`${selected.id}-${version}`}
              initial={{ id: selected.id, name: selected.name, book: selected.book }}
              npcs={props.npcs}
              onSaved={(r) => void saved(r)}
              onCancel={() => void open(selected.id)}
            />
          </>
        )}
      </section>
    </div>
  );
}
