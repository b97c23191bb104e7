import { useCallback, useEffect, useRef, useState, type DragEvent } from 'react';
import type { IngestProgressEvent } from '../../../shared/events';
import type { KnowledgeSources, SearchHit } from '../../../shared/knowledge';
import type { NpcSummary } from '../../../shared/npc';
import { bridge } from '../bridge';
import { ErrorNote } from '../components/Field';
import { useAction, useStudioEvent } from '../hooks';

const ACCEPTED = /\.(txt|md|markdown)$/i;

export function KnowledgePanel(props: { npc: NpcSummary | null }) {
  const npcId = props.npc?.id ?? null;
  const [sources, setSources] = useState<KnowledgeSources | null>(null);
  const [progress, setProgress] = useState<Record<string, IngestProgressEvent>>({});
  const [pasteName, setPasteName] = useState('');
  const [pasteText, setPasteText] = useState('');
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const [rejected, setRejected] = useState<string[]>([]);
  const fileInput = useRef<HTMLInputElement>(null);
  const { busy, error, clearError, run } = useAction();

  const reload = useCallback(async () => {
    if (!npcId) return setSources(null);
    const result = await run(() => bridge().invoke('knowledge.sources', { npcId }));
    if (result) setSources(result);
  }, [npcId, run]);

  useEffect(() => {
    setHits(null);
    setProgress({});
    void reload();
  }, [reload]);

  useStudioEvent('ingest.progress', (event) => {
    if (event.npcId !== npcId) return;
    setProgress((all) => ({ ...all, [event.source]: event }));
  });

  if (!npcId || !props.npc) {
    return (
      <section className="panel knowledge-panel" data-testid="panel-knowledge">
        <p className="empty">Select an NPC first: knowledge belongs to one NPC.</p>
      </section>
    );
  }

  async function ingest(source: string, text: string) {
    const result = await run(() => bridge().invoke('knowledge.ingest', { npcId: npcId!, source, text }));
    setProgress(({ [source]: _done, ...rest }) => rest);
    if (result) await reload();
    return result;
  }

  async function addFiles(files: File[]) {
    const wrong = files.filter((f) => !ACCEPTED.test(f.name)).map((f) => f.name);
    setRejected(wrong);
    for (const file of files.filter((f) => ACCEPTED.test(f.name))) await ingest(file.name, await file.text());
  }

  function onDrop(e: DragEvent) {
    e.preventDefault();
    setDragging(false);
    void addFiles([...e.dataTransfer.files]);
  }

  async function search() {
    if (!query.trim()) return;
    const result = await run(() => bridge().invoke('knowledge.search', { npcId: npcId!, query, limit: 5 }));
    if (result) setHits(result);
  }

  const running = Object.values(progress);
  return (
    <section className="panel knowledge-panel" data-testid="panel-knowledge">
      <h2>Knowledge of {props.npc.name}</h2>
      <ErrorNote error={error} testId="knowledge-error" onDismiss={clearError} />
      {sources?.needsReindex && (
        <div className="note warn" data-testid="knowledge-reindex-needed">
          Some sources were embedded with another model than <code>{sources.embeddingModel}</code>; search is unreliable until they are
          reindexed.
          <button
            data-testid="knowledge-reindex"
            onClick={() => void run(() => bridge().invoke('knowledge.reindex', { npcId })).then(reload)}
            disabled={busy}
          >
            Reindex
          </button>
        </div>
      )}
      <div
        className={dragging ? 'dropzone dragging' : 'dropzone'}
        data-testid="knowledge-dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        Drop .txt or .md files here, or{' '}
        <button className="link" data-testid="knowledge-pick" onClick={() => fileInput.current?.click()}>
          pick files
        </button>
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          accept=".txt,.md,.markdown,text/plain,text/markdown"
          data-testid="knowledge-file"
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = '';
            void addFiles(files);
          }}
        />
      </div>
      {rejected.length > 0 && (
        <p className="note warn" data-testid="knowledge-rejected">
          Only .txt and .md files can be added; skipped {rejected.join(', ')}.
          {rejected.some((name) => name.toLowerCase().endsWith('.json')) &&
            ' A SillyTavern World Info (.json) file is a lorebook: import it in the Lorebooks tab.'}
        </p>
      )}
      {running.map((p) => (
        <div className="progress" key={p.source} data-testid="knowledge-progress" data-source={p.source} data-stage={p.stage}>
          <span>
            {p.source}: {p.stage} {p.total > 0 ? `${p.done}/${p.total}` : ''}
          </span>
          <progress max={Math.max(p.total, 1)} value={p.done} />
          {p.error && <span className="field-error">{p.error}</span>}
        </div>
      ))}
      <form
        className="paste"
        onSubmit={(e) => {
          e.preventDefault();
          void ingest(pasteName.trim(), pasteText).then((ok) => {
            if (ok) {
              setPasteName('');
              setPasteText('');
            }
          });
        }}
      >
        <input
          data-testid="knowledge-paste-name"
          placeholder="Source name, e.g. harbor-history.md"
          value={pasteName}
          onChange={(e) => setPasteName(e.target.value)}
        />
        <textarea
          data-testid="knowledge-paste-text"
          placeholder="Paste lore text here"
          rows={5}
          value={pasteText}
          onChange={(e) => setPasteText(e.target.value)}
        />
        <button
          type="submit"
          className="primary"
          data-testid="knowledge-paste-add"
          disabled={busy || !pasteName.trim() || !pasteText.trim()}
        >
          Add text
        </button>
      </form>
      <table className="sources" data-testid="knowledge-sources">
        <thead>
          <tr>
            <th>Source</th>
            <th>Chunks</th>
            <th>Characters</th>
            <th>Embedding model</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {sources?.sources.length === 0 && (
            <tr>
              <td colSpan={5} className="empty">
                No sources yet.
              </td>
            </tr>
          )}
          {sources?.sources.map((source) => (
            <tr key={source.id} data-testid="knowledge-source" data-source-id={source.id}>
              <td data-testid="knowledge-source-name">
                {source.name}
                {source.state === 'incomplete' && (
                  <span
                    className="badge warn"
                    data-testid="knowledge-source-incomplete"
                    title="An ingest was interrupted: add the source again or delete it."
                  >
                    incomplete
                  </span>
                )}
              </td>
              <td>{source.chunks}</td>
              <td>{source.chars?.toLocaleString() ?? '—'}</td>
              <td className={source.embeddingModel !== sources.embeddingModel ? 'stale' : ''}>{source.embeddingModel}</td>
              <td>
                {confirming === source.id ? (
                  <span data-testid="knowledge-delete-confirm">
                    <button
                      className="danger"
                      data-testid="knowledge-delete-yes"
                      onClick={() =>
                        void run(() => bridge().invoke('knowledge.delete', { npcId, sourceId: source.id })).then(
                          () => (setConfirming(null), reload()),
                        )
                      }
                    >
                      Delete
                    </button>
                    <button data-testid="knowledge-delete-no" onClick={() => setConfirming(null)}>
                      Keep
                    </button>
                  </span>
                ) : (
                  <button className="link danger" data-testid="knowledge-delete" onClick={() => setConfirming(source.id)}>
                    Delete
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="search"
        onSubmit={(e) => {
          e.preventDefault();
          void search();
        }}
      >
        <input
          data-testid="knowledge-search-input"
          placeholder="Preview what a question would retrieve"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <button type="submit" data-testid="knowledge-search" disabled={busy || !query.trim()}>
          Search
        </button>
        {sources && sources.sources.length > 0 && !sources.needsReindex && (
          <button
            type="button"
            data-testid="knowledge-reindex-all"
            onClick={() => void run(() => bridge().invoke('knowledge.reindex', { npcId })).then(reload)}
            disabled={busy}
          >
            Reindex all
          </button>
        )}
      </form>
      {hits && (
        <ol className="hits" data-testid="knowledge-hits">
          {hits.length === 0 && <li className="empty">Nothing found.</li>}
          {hits.map((hit, i) => (
            <li key={i} data-testid="knowledge-hit">
              <cite>{hit.source}</cite> <small>distance {hit.distance.toFixed(3)}</small>
              <p>{hit.text}</p>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
