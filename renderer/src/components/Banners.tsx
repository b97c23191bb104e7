import { useState } from 'react';
import type { DataProblem } from '../../../shared/contract';
import type { LastShutdownReport } from '../../../shared/shutdown';
import type { ConnectionState } from '../bridge';
import type { NpcSummary } from '../../../shared/npc';
import { backendBanners, type BannerTab } from '../banner-rules';
import { useHealth } from '../health-store';
import { StatusIcon } from './StatusIcon';

export function ConnectionBanner(props: { connection: ConnectionState; quitting: boolean }) {
  if (props.quitting) return null;
  if (props.connection.status === 'connecting') {
    return (
      <div className="banner info" data-testid="connection-banner" data-state="connecting">
        Connecting to the studio host…
      </div>
    );
  }
  if (props.connection.status === 'reconnecting') {
    return (
      <div className="banner warn" role="status" data-testid="connection-banner" data-state="reconnecting">
        {props.connection.reason} Reconnecting (attempt {props.connection.attempt})…
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

/** One banner per backend problem the designer can act on (see banner-rules.ts), with one action. */
export function BackendBanners(props: { npcs: NpcSummary[]; demo: boolean; onOpen: (tab: BannerTab) => void }) {
  const { snapshot } = useHealth();
  // Dismissed per provider and message: the banner comes back when what it says changes.
  const [dismissed, setDismissed] = useState<Record<string, string>>({});
  const banners = backendBanners(snapshot, props.npcs, props.demo).filter((b) => dismissed[b.providerId] !== b.message);
  if (banners.length === 0) return null;
  return (
    <div className="banners">
      {banners.map((b) => (
        <div key={b.providerId} className={`banner ${b.level}`} role="alert" data-testid="backend-banner" data-provider-id={b.providerId}>
          <span>
            <strong>{b.title}</strong>: {b.message}
          </span>
          {b.hint && (
            <code className="hint" data-testid="backend-banner-hint">
              {b.hint}
            </code>
          )}
          <button data-testid="backend-banner-action" onClick={() => props.onOpen(b.action.tab)}>
            {b.action.label}
          </button>
          <button
            className="link"
            data-testid="backend-banner-dismiss"
            onClick={() => setDismissed((d) => ({ ...d, [b.providerId]: b.message }))}
          >
            dismiss
          </button>
        </div>
      ))}
    </div>
  );
}

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
  if ('unclean' in last) {
    return (
      <div className="banner error" role="alert" data-testid="last-shutdown-banner" data-exit-code="" data-unclean="true">
        <span>{last.unclean.message}. If a reply was streaming then, it is kept as far as it was saved, marked interrupted.</span>
        <button className="link" data-testid="last-shutdown-dismiss" onClick={() => setOpen(false)}>
          dismiss
        </button>
      </div>
    );
  }
  const { report } = last;
  const ok = report.exitCode === 0;
  return (
    <div
      className={`banner ${ok ? 'ok' : 'error'}`}
      role={ok ? 'status' : 'alert'}
      data-testid="last-shutdown-banner"
      data-exit-code={report.exitCode}
    >
      <span>
        {ok
          ? `Last shutdown was clean: ${report.totals.providers} providers closed in ${Math.round(report.ms)} ms.`
          : `The last shutdown failed (exit code 1 after ${Math.round(report.ms)} ms, ${report.reason}): ` +
            `${report.totals.failed} failed, ${report.totals.timedOut} timed out` +
            `${report.deadlineExceeded ? ', global deadline exceeded' : ''}.`}
        {report.drain.aborted + report.drain.abandoned > 0 && ` ${report.drain.aborted + report.drain.abandoned} chat(s) were interrupted.`}
      </span>
      <details data-testid="last-shutdown-details" open={!ok}>
        <summary>report</summary>
        <ul>
          {report.providers.map((p) => (
            <li key={p.id} data-testid="last-shutdown-provider" data-provider-id={p.id} data-outcome={p.outcome}>
              <StatusIcon status={p.outcome} /> {p.id}: {p.outcome.replace('-', ' ')} ({p.step}, {p.method}, {Math.round(p.ms)} ms)
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
