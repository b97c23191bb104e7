import { useState } from 'react';
import type { MatrixCell, RunDiff, RunFile, SampleResult } from '../../../shared/suite';
import { LoreTraceView } from '../components/LoreTrace';

const judgeText = (j: { prompt: { system: string; user: string }; answer: string }) =>
  `${j.prompt.system}\n\n${j.prompt.user}\n\n→ ${j.answer}`;

const percent = (rate: number | null) => (rate === null ? '–' : `${Math.round(rate * 100)}%`);

/** The pass-rate matrix of a run (case × backend), regressions against the previous run marked; a cell opens its samples. */
export function RunMatrix(props: { run: RunFile; diff: RunDiff | null; onOpen: (cell: MatrixCell) => void; open: MatrixCell | null }) {
  const { run, diff } = props;
  const change = (c: MatrixCell) => diff?.cells.find((d) => d.case === c.case && d.backend === c.backend);
  return (
    <table className="test-matrix" data-testid="test-matrix">
      <thead>
        <tr>
          <th>Case</th>
          {run.backends.map((b) => (
            <th key={b}>{b}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {run.cases.map((name) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            {run.backends.map((b) => {
              const cell = run.matrix.find((c) => c.case === name && c.backend === b)!;
              const d = change(cell);
              const state = cell.passRate === null ? 'none' : cell.passRate === 1 ? 'pass' : cell.passRate === 0 ? 'fail' : 'mixed';
              const selected = props.open?.case === name && props.open.backend === b;
              return (
                <td
                  key={b}
                  className={`cell ${state}${d?.change === 'regressed' ? ' regressed' : ''}${selected ? ' selected' : ''}`}
                  data-testid="test-cell"
                  data-case={name}
                  data-backend={b}
                  data-state={state}
                  data-change={d?.change ?? 'new'}
                >
                  <button
                    className="link"
                    onClick={() => props.onOpen(cell)}
                    title={`${cell.passed} pass, ${cell.failed} fail, ${cell.errors} error, ${cell.interrupted} interrupted`}
                  >
                    {percent(cell.passRate)}
                  </button>
                  {cell.errors > 0 && <span className="badge warn">{cell.errors} error</span>}
                  {d?.change === 'regressed' && (
                    <span className="badge danger" data-testid="test-regressed">
                      was {percent(d.before)}
                    </span>
                  )}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One sample: its conversation, each reply's assertions (failed ones first in attention), the judge's prompt, the lore trace. */
export function SampleView(props: { sample: SampleResult }) {
  const s = props.sample;
  return (
    <div className="test-sample" data-testid="test-sample" data-status={s.status}>
      <p className="muted">
        Sample {s.sample + 1} · seed {s.seed}
        {s.seeded ? '' : ' (this backend has no seed)'} · {s.endpoint} · {s.ms} ms · <strong>{s.status}</strong>
        {s.error && <> · {s.error}</>}
      </p>
      {s.opening.map((m, i) => (
        <p key={`o${i}`} className={`turn ${m.role}`}>
          <span className="muted">{m.role === 'user' ? 'Player' : 'NPC'} (setup):</span> {m.content}
        </p>
      ))}
      {s.turns.map((t, i) => (
        <div key={i} className="test-turn">
          <p className="turn user">
            <span className="muted">Player:</span> {t.player}
          </p>
          <p className="turn assistant" data-testid="test-reply">
            <span className="muted">NPC:</span> {t.reply}
          </p>
          <ul className="assertions">
            {t.assertions.map((a) => (
              <li
                key={a.index}
                className={`assertion ${a.verdict}`}
                data-testid="test-assertion"
                data-verdict={a.verdict}
                data-kind={a.kind}
              >
                <strong>{a.verdict.toUpperCase()}</strong> {a.label}
                {a.verdict !== 'pass' && <div className="why">{a.message}</div>}
                {a.judge && (
                  <details>
                    <summary>
                      Judge prompt ({a.judge.judge.processor}:{a.judge.judge.model})
                    </summary>
                    <pre data-testid="test-judge-prompt">{judgeText(a.judge)}</pre>
                  </details>
                )}
              </li>
            ))}
          </ul>
          {t.lore && <LoreDetails trace={t.lore} />}
        </div>
      ))}
    </div>
  );
}

function LoreDetails(props: { trace: NonNullable<SampleResult['turns'][number]['lore']> }) {
  const [open, setOpen] = useState(false);
  return (
    <details open={open} onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>
        Lore trace: {props.trace.activated.length} entr{props.trace.activated.length === 1 ? 'y' : 'ies'} fired
      </summary>
      {open && <LoreTraceView trace={props.trace} books={props.trace.books} testId="test-lore-trace" />}
    </details>
  );
}
