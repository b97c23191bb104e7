import { useRef, useState } from 'react';
import type { Npc, NpcSummary } from '../../../shared/npc';
import { bridge } from '../bridge';
import { ErrorNote } from '../components/Field';
import { NpcAvatar } from '../components/NpcAvatar';
import { download, fileToBase64 } from '../files';
import { useAction } from '../hooks';
import { NpcArt } from './NpcArt';
import { NpcEditor } from './NpcEditor';
import { blankForm, formFromNpc, type NpcForm } from './npc-form';

export function NpcPanel(props: {
  npcs: NpcSummary[];
  selectedId: string | null;
  onSelect: (id: string | null) => void;
  onChanged: () => Promise<void>;
  /** Clears the selection if it is still the deleted NPC (the user may have picked another meanwhile). */
  onDeleted: (id: string) => void;
  onChat: (id: string) => void;
}) {
  const [editing, setEditing] = useState<NpcForm | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const { busy, error, clearError, run } = useAction();
  const selected = props.npcs.find((n) => n.id === props.selectedId) ?? null;

  async function edit(id: string) {
    const npc = await run(() => bridge().invoke('npc.get', { id }));
    if (npc) setEditing(formFromNpc(npc));
  }

  async function saved(npc: Npc) {
    setEditing(null);
    await props.onChanged();
    props.onSelect(npc.id);
  }

  async function importFile(file: File) {
    const name = file.name.toLowerCase();
    const npc = await run(async () =>
      name.endsWith('.charx')
        ? bridge().invoke('npc.importCard', { format: 'charx', base64: await fileToBase64(file) })
        : name.endsWith('.png') || file.type === 'image/png'
          ? bridge().invoke('npc.importCard', { format: 'png', base64: await fileToBase64(file) })
          : bridge().invoke('npc.importCard', { format: 'json', text: await file.text() }),
    );
    if (npc) await saved(npc);
  }

  async function exportCard(id: string, format: 'json' | 'json-v3' | 'png' | 'charx') {
    const card = await run(() => bridge().invoke('npc.exportCard', { id, format }));
    if (card) download(card.fileName, card.mime, card.data, card.encoding);
  }

  async function remove(id: string) {
    const result = await run(() => bridge().invoke('npc.delete', { id }));
    setConfirmDelete(null);
    if (result) {
      props.onDeleted(id);
      await props.onChanged();
    }
  }

  return (
    <section className="panel npc-panel" data-testid="panel-npcs">
      <aside className="npc-list">
        <div className="toolbar">
          <button className="primary" data-testid="npc-new" onClick={() => setEditing(blankForm())}>
            New NPC
          </button>
          <button data-testid="npc-import" onClick={() => fileInput.current?.click()} disabled={busy}>
            Import card…
          </button>
          <input
            ref={fileInput}
            type="file"
            accept=".json,.png,.charx,application/json,image/png"
            hidden
            data-testid="npc-import-file"
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (file) void importFile(file);
            }}
          />
        </div>
        {props.npcs.length === 0 && (
          <p className="empty" data-testid="npc-empty">
            No NPCs yet. Create one or import a Character Card (JSON, PNG or CHARX).
          </p>
        )}
        <ul>
          {props.npcs.map((npc) => (
            <li key={npc.id}>
              <button
                className={npc.id === props.selectedId ? 'npc-item selected' : 'npc-item'}
                data-testid="npc-item"
                data-npc-id={npc.id}
                onClick={() => props.onSelect(npc.id)}
              >
                <NpcAvatar npcId={npc.id} name={npc.name} hasArt={npc.hasArt} version={npc.updatedAt} size="sm" />
                <span className="npc-item-text">
                  <strong>{npc.name}</strong>
                  <small>
                    {npc.processor} · {npc.model}
                  </small>
                </span>
              </button>
            </li>
          ))}
        </ul>
      </aside>
      <div className="npc-detail">
        <ErrorNote error={error} testId="npc-error" onDismiss={clearError} />
        {editing ? (
          <NpcEditor key={editing.id ?? 'new'} initial={editing} onSaved={(npc) => void saved(npc)} onCancel={() => setEditing(null)} />
        ) : selected ? (
          <div className="npc-summary" data-testid="npc-summary">
            <NpcArt npcId={selected.id} name={selected.name} onChanged={props.onChanged} />
            <h2 data-testid="npc-summary-name">{selected.name}</h2>
            <p>
              {selected.processor === 'local' ? 'Local (Ollama)' : 'Hosted (Bedrock)'} · <code>{selected.model}</code>
            </p>
            {selected.tags.length > 0 && (
              <p className="tags">
                {selected.tags.map((t) => (
                  <span key={t}>{t}</span>
                ))}
              </p>
            )}
            <div className="actions">
              <button className="primary" data-testid="npc-chat" onClick={() => props.onChat(selected.id)}>
                Chat
              </button>
              <button data-testid="npc-edit" onClick={() => void edit(selected.id)} disabled={busy}>
                Edit
              </button>
              <button data-testid="npc-export-json" onClick={() => void exportCard(selected.id, 'json')} disabled={busy}>
                Export JSON
              </button>
              <button data-testid="npc-export-png" onClick={() => void exportCard(selected.id, 'png')} disabled={busy}>
                Export PNG
              </button>
              <button data-testid="npc-export-json-v3" onClick={() => void exportCard(selected.id, 'json-v3')} disabled={busy}>
                Export V3 JSON
              </button>
              <button data-testid="npc-export-charx" onClick={() => void exportCard(selected.id, 'charx')} disabled={busy}>
                Export CHARX
              </button>
              <button className="danger" data-testid="npc-delete" onClick={() => setConfirmDelete(selected.id)}>
                Delete
              </button>
            </div>
            {confirmDelete === selected.id && (
              <div className="confirm" role="alertdialog" data-testid="npc-delete-confirm">
                <span>
                  Delete <strong>{selected.name}</strong> with its chats and knowledge? This cannot be undone.
                </span>
                <button className="danger" data-testid="npc-delete-yes" onClick={() => void remove(selected.id)} disabled={busy}>
                  Delete
                </button>
                <button data-testid="npc-delete-no" onClick={() => setConfirmDelete(null)}>
                  Keep
                </button>
              </div>
            )}
          </div>
        ) : (
          <p className="empty">Select an NPC, or create one.</p>
        )}
      </div>
    </section>
  );
}
