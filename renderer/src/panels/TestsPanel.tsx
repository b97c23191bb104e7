import { useCallback, useEffect, useState } from 'react';
import type { NpcSummary } from '../../../shared/npc';
import type { Backend, MatrixCell, RunDiff, RunFile, RunSummary, SuiteProgressEvent } from '../../../shared/suite';
import { bridge } from '../bridge';
import { ErrorNote } from '../components/Field';
import { useAction, useStudioEvent } from '../hooks';
import { RunMatrix, SampleView } from './test-run-view';

/** "local:llama3.2, hosted:anthropic.claude-3-haiku" → backends; a name without a prefix is local. */
export function parseBackends(text: string): Backend[] {
  return text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => {
      const m = /^(local|hosted):(.+)$/.exec(t);
      return m ? { processor: m[1] as Backend['processor'], model: m[2]!.trim() } : { processor: 'local', model: t };
    });
}

function starterSuite(npcId: string): string {
  const suite = {
    version: 1,
    npcId,
    cases: [{ name: 'Greets the player', turns: [{ player: 'Hello there.', expect: [{ kind: 'max_tokens', max: 200 }] }] }],
  };
  return JSON.stringify(suite, null, 2);
}

/**
 * The Tests panel: the NPC's suite (edited as JSON, checked by the host with the field at fault), a run against
 * chosen backends with a live progress bar and Stop, the pass-rate matrix with regressions against the run before,
 * a failing sample's transcript, assertions and lore trace, and the run history.
 */
export function TestsPanel(props: { npcs: NpcSummary[]; npc: NpcSummary | null; onSelect: (id: string) => void; active: boolean }) {
  const { npc, active } = props;
  const [text, setText] = useState('');
  const [saved, setSaved] = useState(false);
  const [backends, setBackends] = useState('');
  const [samples, setSamples] = useState(1);
  const [seed, setSeed] = useState(1);
  const [runId, setRunId] = useState<string | null>(null);
  const [progress, setProgress] = useState<SuiteProgressEvent | null>(null);
  const [run, setRun] = useState<RunFile | null>(null);
  const [diff, setDiff] = useState<RunDiff | null>(null);
  const [history, setHistory] = useState<RunSummary[]>([]);
  const [cell, setCell] = useState<MatrixCell | null>(null);
  const { busy, error, run: act, clearError } = useAction();

  const loadRun = useCallback(async (npcId: string, id: string) => {
    const [file, d] = await Promise.all([
      bridge().invoke('suite.runGet', { npcId, runId: id }),
      bridge().invoke('suite.diff', { npcId, runId: id }),
    ]);
    setRun(file);
    setDiff(d);
    setCell(file.matrix.find((c) => c.failed > 0 || c.errors > 0) ?? null);
  }, []);

  const loadHistory = useCallback(async (npcId: string) => setHistory(await bridge().invoke('suite.runs', { npcId })), []);

  useEffect(() => {
    if (!npc) return;
    setRun(null);
    setDiff(null);
    setCell(null);
    setProgress(null);
    setBackends(`${npc.processor}:${npc.model}`);
    void act(async () => {
      const suite = await bridge().invoke('suite.get', { npcId: npc.id });
      setText(suite ? JSON.stringify(suite, null, 2) : starterSuite(npc.id));
      setSaved(Boolean(suite));
      await loadHistory(npc.id);
    });
  }, [npc, act, loadHistory]);

  // Shown again: the suite may have grown meanwhile ("Make test" in Chat); unsaved edits here are kept. On showing only.
  useEffect(() => {
    if (!active || !npc || !saved) return;
    void act(async () => {
      const suite = await bridge().invoke('suite.get', { npcId: npc.id });
      if (suite) setText(JSON.stringify(suite, null, 2));
    });
  }, [active]);

  useStudioEvent('suite.progress', (e) => {
    if (e.runId !== runId) return;
    setProgress(e);
    if (e.state !== 'running' && npc) {
      setRunId(null);
      void act(async () => {
        await loadRun(npc.id, e.runId);
        await loadHistory(npc.id);
      });
    }
  });

  if (!npc)
    return (
      <section className="panel" data-testid="panel-tests">
        <p className="muted">Choose an NPC on the NPCs tab to test it.</p>
      </section>
    );

  const save = () =>
    act(async () => {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        throw new Error(`The suite is not valid JSON: ${(err as Error).message}`, { cause: err });
      }
      const suite = await bridge().invoke('suite.save', value as never);
      setText(JSON.stringify(suite, null, 2));
      setSaved(true);
    });

  const start = () =>
    act(async () => {
      const started = await bridge().invoke('suite.run', { npcId: npc.id, backends: parseBackends(backends), samples, seed });
      setRunId(started.runId);
      setProgress({
        runId: started.runId,
        npcId: npc.id,
        state: 'running',
        done: 0,
        total: started.planned,
        passed: 0,
        failed: 0,
        errors: 0,
        etaMs: null,
      });
    });

  const samplesOf = cell && run ? run.samples.filter((s) => s.case === cell.case && s.backend === cell.backend) : [];
  return (
    <section className="panel tests-panel" data-testid="panel-tests">
      <div className="toolbar">
        <select value={npc.id} onChange={(e) => props.onSelect(e.target.value)} data-testid="tests-npc">
          {props.npcs.map((n) => (
            <option key={n.id} value={n.id}>
              {n.name}
            </option>
          ))}
        </select>
        <label>
          Backends{' '}
          <input
            data-testid="tests-backends"
            value={backends}
            onChange={(e) => setBackends(e.target.value)}
            placeholder="local:llama3.2, hosted:model-id"
          />
        </label>
        <label>
          Samples{' '}
          <input
            data-testid="tests-samples"
            type="number"
            min={1}
            max={100}
            value={samples}
            onChange={(e) => setSamples(Number(e.target.value))}
          />
        </label>
        <label>
          Seed <input data-testid="tests-seed" type="number" min={0} value={seed} onChange={(e) => setSeed(Number(e.target.value))} />
        </label>
        <button className="primary" data-testid="tests-run" disabled={busy || runId !== null || !saved} onClick={() => void start()}>
          Run
        </button>
        <button
          className="danger"
          data-testid="tests-stop"
          disabled={runId === null}
          onClick={() => runId && void act(() => bridge().invoke('suite.stop', { runId }))}
        >
          Stop
        </button>
      </div>
      <ErrorNote error={error} testId="tests-error" onDismiss={clearError} />
      {progress && (
        <div className="test-progress" data-testid="tests-progress" data-state={progress.state}>
          <progress value={progress.done} max={progress.total} />
          <span>
            {progress.done}/{progress.total} samples · {progress.passed} pass, {progress.failed} fail, {progress.errors} error
            {progress.state === 'running'
              ? progress.etaMs !== null
                ? ` · about ${Math.ceil(progress.etaMs / 1000)} s left`
                : ''
              : ` · ${progress.state}`}
          </span>
        </div>
      )}
      {run && (
        <>
          <h3>
            Run {new Date(run.startedAt).toLocaleString()} ({run.state})
            {diff && diff.regressions > 0 && <span className="badge danger">{diff.regressions} regression(s)</span>}
          </h3>
          <RunMatrix run={run} diff={diff} open={cell} onOpen={setCell} />
          {samplesOf.map((s) => (
            <SampleView key={`${s.backend}.${s.sample}`} sample={s} />
          ))}
        </>
      )}
      <details className="tests-suite" open={!saved}>
        <summary>Suite ({saved ? 'saved' : 'not saved'})</summary>
        <textarea
          data-testid="tests-suite-json"
          rows={16}
          value={text}
          spellCheck={false}
          onChange={(e) => (setText(e.target.value), setSaved(false))}
        />
        <button data-testid="tests-save" disabled={busy} onClick={() => void save()}>
          Save suite
        </button>
      </details>
      <details className="tests-history">
        <summary>History ({history.length})</summary>
        <ul data-testid="tests-history">
          {history.map((h) => (
            <li key={h.id}>
              <button className="link" onClick={() => void act(() => loadRun(npc.id, h.id))}>
                {new Date(h.startedAt).toLocaleString()}
              </button>{' '}
              {h.state} · {h.totals.passed} pass, {h.totals.failed} fail, {h.totals.errors} error · {h.backends.join(', ')}
            </li>
          ))}
        </ul>
      </details>
    </section>
  );
}
