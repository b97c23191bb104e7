import { useState } from 'react';
import type { DataProblem } from '../../../shared/contract';
import type { LastShutdownReport } from '../../../shared/shutdown';
import type { ConnectionState } from '../bridge';
import { useHealth } from '../health-store';

export function ConnectionBanner(props: { connection: ConnectionState; quitting: boolean }) {
  if (props.quitting) return null;
  if (props.connection.status === 'connecting') {
    return (
      <div className="banner info" data-testid="connection-banner" data-state="connecting">
        Connecting to the studio host…
      </div>
    );
  }
  if (props.connection.status === 'closed') {
    return (
      <div className="banner error" role="alert" data-testid="connection-banner" data-state="closed">
        {props.connection.reason}
      </div>
    );
  }
  return null;
}

/** One banner per backend that is down, with what to do about it (the provider's own hint). */
export function BackendBanners() {
  const { snapshot } = useHealth();
  // Dismissed per provider and status: the banner comes back when the status changes.
  const [dismissed, setDismissed] = useState<Record<string, string>>({});
  const down = (snapshot ?? []).filter((p) => (p.status === 'unhealthy' || (p.status === 'degraded' && p.hint)) && dismissed[p.id] !== `${p.status}:${p.lastError ?? ''}`);
  if (down.length === 0) return null;
  return (
    <div className="banners">
      {down.map((p) => (
        <div key={p.id} className={`banner ${p.status === 'unhealthy' ? 'error' : 'warn'}`} role="alert" data-testid="backend-banner" data-provider-id={p.id}>
          <span>
            <strong>{p.id}</strong>: {p.lastError ?? (p.status === 'unhealthy' ? 'not reachable' : 'degraded')}
          </span>
          {p.hint && <code className="hint" data-testid="backend-banner-hint">{p.hint}</code>}
          <button className="link" data-testid="backend-banner-dismiss" onClick={() => setDismissed((d) => ({ ...d, [p.id]: `${p.status}:${p.lastError ?? ''}` }))}>
            dismiss
          </button>
        </div>
      ))}
    </div>
  );
}

const MARKS: Record<string, string> = { ok: '✅', failed: '❌', 'timed-out': '⏱', 'no-method': '➖' };

export function ShutdownReportBanner(props: { last: LastShutdownReport }) {
  const [open, setOpen] = useState(true);
  const { last } = props;
  if (!last || !open) return null;
  if ('problem' in last) {
    return (
      <div className="banner warn" role="alert" data-testid="last-shutdown-banner" data-exit-code="">
        The last shutdown report could not be read: {last.problem}
      </div>
    );
  }
  const { report } = last;
  const ok = report.exitCode === 0;
  return (
    <div className={`banner ${ok ? 'ok' : 'error'}`} role={ok ? 'status' : 'alert'} data-testid="last-shutdown-banner" data-exit-code={report.exitCode}>
      <span>
        {ok
          ? `Last shutdown was clean: ${report.totals.providers} providers closed in ${Math.round(report.ms)} ms.`
          : `The last shutdown failed (exit code 1 after ${Math.round(report.ms)} ms, ${report.reason}): ${report.totals.failed} failed, ${report.totals.timedOut} timed out${report.deadlineExceeded ? ', global deadline exceeded' : ''}.`}
        {report.drain.aborted + report.drain.abandoned > 0 && ` ${report.drain.aborted + report.drain.abandoned} chat(s) were interrupted.`}
      </span>
      <details data-testid="last-shutdown-details" open={!ok}>
        <summary>report</summary>
        <ul>
          {report.providers.map((p) => (
            <li key={p.id} data-testid="last-shutdown-provider" data-provider-id={p.id} data-outcome={p.outcome}>
              {MARKS[p.outcome] ?? '?'} {p.id} ({p.step}, {p.method}, {Math.round(p.ms)} ms)
              {p.error && <span className="field-error"> {p.error}</span>}
            </li>
          ))}
        </ul>
      </details>
      <button className="link" data-testid="last-shutdown-dismiss" onClick={() => setOpen(false)}>
        dismiss
      </button>
    </div>
  );
}

/** Data files found damaged at start (kept as they are): which file, what is wrong, what the studio did. */
export function DataProblemsBanner(props: { problems: DataProblem[] }) {
  const [open, setOpen] = useState(true);
  // The unreadable shutdown report has its own banner.
  const problems = props.problems.filter((p) => p.area !== 'shutdown-report');
  if (!open || problems.length === 0) return null;
  return (
    <div className="banner warn" role="alert" data-testid="data-problems-banner">
      <span>Some data files could not be used as they are; they were kept.</span>
      <ul>
        {problems.map((p, i) => (
          <li key={i} data-testid="data-problem" data-area={p.area}>
            <code>{p.file}</code>: {p.message}
          </li>
        ))}
      </ul>
      <button className="link" data-testid="data-problems-dismiss" onClick={() => setOpen(false)}>
        dismiss
      </button>
    </div>
  );
}
