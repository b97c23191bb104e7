import type { MatrixCell, RunDiff, RunDiffCell, RunFile, SampleResult } from '../../../shared/suite';

/** Pass rates per case × backend; errors and interrupted samples are counted apart, not as failures. */
export function buildMatrix(cases: readonly string[], backends: readonly string[], samples: readonly SampleResult[]): MatrixCell[] {
  const cells: MatrixCell[] = [];
  for (const c of cases) {
    for (const b of backends) {
      const mine = samples.filter((s) => s.case === c && s.backend === b);
      const count = (status: SampleResult['status']) => mine.filter((s) => s.status === status).length;
      const passed = count('pass');
      const failed = count('fail');
      cells.push({
        case: c,
        backend: b,
        passed,
        failed,
        errors: count('error'),
        interrupted: count('interrupted'),
        passRate: passed + failed ? passed / (passed + failed) : null,
      });
    }
  }
  return cells;
}

export function totalsOf(samples: readonly SampleResult[]): RunFile['totals'] {
  const count = (status: SampleResult['status']) => samples.filter((s) => s.status === status).length;
  const turns = samples.flatMap((s) => s.turns);
  const costs = turns.map((t) => t.costUsd);
  return {
    passed: count('pass'),
    failed: count('fail'),
    errors: count('error'),
    interrupted: count('interrupted'),
    promptTokens: turns.reduce((n, t) => n + (t.usage?.promptTokens ?? 0), 0),
    replyTokens: turns.reduce((n, t) => n + (t.usage?.replyTokens ?? 0), 0),
    costUsd: costs.some((c) => c === null) ? null : Math.round(costs.reduce<number>((n, c) => n + (c ?? 0), 0) * 1e8) / 1e8,
  };
}

/** Each cell of `run` against the same cell of `previous`: a lower pass rate is a regression. */
export function diffRuns(run: RunFile, previous: RunFile | null): RunDiff {
  const key = (c: { case: string; backend: string }) => `${c.case}\u0000${c.backend}`;
  const before = new Map((previous?.matrix ?? []).map((c) => [key(c), c]));
  const cells: RunDiffCell[] = run.matrix.map((cell) => {
    const old = before.get(key(cell));
    before.delete(key(cell));
    const after = cell.passRate;
    if (!old || old.passRate === null) return { case: cell.case, backend: cell.backend, before: null, after, change: 'new' };
    const change = after === null ? 'same' : after < old.passRate ? 'regressed' : after > old.passRate ? 'improved' : 'same';
    return { case: cell.case, backend: cell.backend, before: old.passRate, after, change };
  });
  for (const gone of before.values())
    cells.push({ case: gone.case, backend: gone.backend, before: gone.passRate, after: null, change: 'gone' });
  return { runId: run.id, previousRunId: previous?.id ?? null, cells, regressions: cells.filter((c) => c.change === 'regressed').length };
}
