import { useCallback, useEffect, useState } from 'react';
import type { ModelDetails, ModelList, ModelPullEvent } from '../../../shared/models';
import { bridge } from '../bridge';
import { formatAgo, formatBytes } from '../format';
import { useAction, useStudioEvent } from '../hooks';
import { ErrorNote } from './Field';

function PullProgress(props: { pull: ModelPullEvent; onCancel: () => void }) {
  const { pull } = props;
  const share = pull.totalBytes > 0 ? pull.completedBytes / pull.totalBytes : 0;
  const percent = Math.round(share * 100);
  return (
    <div className="pull" data-testid="model-pull" data-state={pull.state} data-percent={percent}>
      <span>
        {pull.model}: {pull.state === 'pulling' ? pull.status : pull.state === 'done' ? 'pulled' : pull.state}
        {pull.error && <span className="field-error"> {pull.error}</span>}
      </span>
      <progress data-testid="model-pull-bar" max={100} value={percent} aria-label={`pull of ${pull.model}`} />
      <span className="pull-figures">
        {percent} % · {formatBytes(pull.completedBytes)} of {formatBytes(pull.totalBytes)}
      </span>
      {pull.state === 'pulling' && (
        <button data-testid="model-pull-cancel" onClick={props.onCancel}>
          Cancel
        </button>
      )}
    </div>
  );
}

/** Ollama's models: in memory, on disk (details, delete with confirmation), and pulling new ones. */
export function ModelsSection() {
  const [list, setList] = useState<ModelList | null>(null);
  const [pulls, setPulls] = useState<Record<string, ModelPullEvent>>({});
  const [name, setName] = useState('');
  const [confirming, setConfirming] = useState<string | null>(null);
  const [details, setDetails] = useState<Record<string, ModelDetails>>({});
  const { error, run } = useAction();

  const reload = useCallback(async () => {
    const next = await run(() => bridge().invoke('models.list', {}));
    if (next) setList(next);
  }, [run]);

  useEffect(() => {
    void reload();
  }, [reload]);

  useStudioEvent('models.pull', (event) => {
    setPulls((p) => ({ ...p, [event.pullId]: event }));
    if (event.state === 'done') void reload();
  });

  async function pull() {
    const model = name.trim();
    const started = await run(() => bridge().invoke('models.pull', { model }));
    if (started) setName('');
  }

  async function remove(model: string) {
    setConfirming(null);
    if (await run(() => bridge().invoke('models.delete', { model }))) await reload();
  }

  async function show(model: string) {
    const d = await run(() => bridge().invoke('models.show', { model }));
    if (d) setDetails((all) => ({ ...all, [model]: d }));
  }

  return (
    <section className="models" data-testid="models-section">
      <h3>Models (Ollama)</h3>
      <ErrorNote error={error} testId="models-error" />
      <form
        className="model-pull-form"
        onSubmit={(e) => {
          e.preventDefault();
          void pull();
        }}
      >
        <input
          data-testid="model-pull-name"
          value={name}
          placeholder="model to pull, e.g. llama3.2"
          onChange={(e) => setName(e.target.value)}
        />
        <button data-testid="model-pull-start" type="submit" disabled={!name.trim()}>
          Pull
        </button>
        <button type="button" data-testid="models-refresh" onClick={() => void reload()}>
          Refresh
        </button>
      </form>
      {Object.values(pulls).map((p) => (
        <PullProgress key={p.pullId} pull={p} onCancel={() => void run(() => bridge().invoke('models.cancelPull', { pullId: p.pullId }))} />
      ))}
      <h4>In memory</h4>
      {list && list.loaded.length === 0 && <p className="empty">No model is loaded right now; Ollama loads one on the first chat.</p>}
      <ul className="model-list">
        {list?.loaded.map((m) => (
          <li key={m.name} data-testid="model-loaded" data-model={m.name}>
            <strong>{m.name}</strong> · {formatBytes(m.sizeBytes)} · {m.sizeBytes > 0 ? Math.round((m.vramBytes / m.sizeBytes) * 100) : 0} %
            on the GPU · unloads {formatAgo(m.expiresAt)}
          </li>
        ))}
      </ul>
      <h4>On disk</h4>
      <ul className="model-list">
        {list?.available.map((m) => {
          const d = details[m.name];
          return (
            <li key={m.name} data-testid="model-available" data-model={m.name}>
              <strong>{m.name}</strong> · {formatBytes(m.sizeBytes)} · {m.family} {m.parameterSize} {m.quantization}
              {d && (
                <span data-testid="model-details">
                  {' '}
                  · context {d.contextLength === null ? 'unknown' : `${d.contextLength.toLocaleString('en')} tokens`} ·{' '}
                  {d.capabilities.join(', ')}
                </span>
              )}
              <span className="actions">
                {!d && (
                  <button className="link" data-testid="model-show" onClick={() => void show(m.name)}>
                    details
                  </button>
                )}
                {confirming === m.name ? (
                  <span className="confirm" data-testid="model-delete-confirm">
                    Delete {m.name} ({formatBytes(m.sizeBytes)}) from Ollama?{' '}
                    <button data-testid="model-delete-yes" onClick={() => void remove(m.name)}>
                      Delete
                    </button>{' '}
                    <button data-testid="model-delete-no" onClick={() => setConfirming(null)}>
                      Keep
                    </button>
                  </span>
                ) : (
                  <button className="link" data-testid="model-delete" onClick={() => setConfirming(m.name)}>
                    delete
                  </button>
                )}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
