import { useEffect, useRef, useState } from 'react';
import {
  CLOSE_PHASES,
  HEALTH_HISTORY_MS,
  type HealthHistory,
  type HealthSample,
  type HealthSnapshot,
  type ProviderPhase,
} from '../../../shared/health';
import type { UsageSummary } from '../../../shared/usage';
import { bridge } from '../bridge';
import { ErrorNote } from '../components/Field';
import { ModelsSection } from '../components/ModelsSection';
import { ProviderCard } from '../components/ProviderCard';
import { download } from '../files';
import { formatBytes, formatCount, formatUsd } from '../format';
import { useHealth } from '../health-store';
import { useAction } from '../hooks';

const PHASE_TITLES: Record<ProviderPhase, string> = {
  processors: 'Chat processors (closed first on quit)',
  clients: 'Connections (closed second)',
  stores: 'Files and stores (closed third)',
  resources: 'Servers the studio runs (closed last)',
};

function sampleOf(p: HealthSnapshot[number], snapshot: HealthSnapshot, at: number): HealthSample {
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const processes = snapshot.find((h) => h.id === 'studio-host')?.resources.processes ?? [];
  const pid = n(p.resources.pid);
  return {
    at,
    rssBytes: n(p.resources.rssBytes),
    cpuPercent: n(p.resources.cpuPercent) ?? (pid === null ? null : (processes.find((x) => x.pid === pid)?.cpuPercent ?? null)),
    latencyMs: n(p.latencyMs),
    openSockets: n(p.resources.openSockets),
  };
}

/** The last 15 minutes per provider: what the host kept, then every push. */
function useHistory(snapshot: HealthSnapshot | null, receivedAt: number | null): HealthHistory {
  const [history, setHistory] = useState<HealthHistory>({});
  const loaded = useRef(false);
  useEffect(() => {
    if (loaded.current) return;
    loaded.current = true;
    void bridge()
      .invoke('providers.history', {})
      .then((h) =>
        setHistory((now) => ({ ...h, ...Object.fromEntries(Object.entries(now).map(([id, s]) => [id, [...(h[id] ?? []), ...s]])) })),
      )
      .catch(() => undefined);
  }, []);
  useEffect(() => {
    if (!snapshot || receivedAt === null) return;
    setHistory((now) => {
      const next: HealthHistory = {};
      const from = receivedAt - HEALTH_HISTORY_MS;
      for (const p of snapshot) next[p.id] = [...(now[p.id] ?? []).filter((s) => s.at >= from), sampleOf(p, snapshot, receivedAt)];
      return next;
    });
  }, [snapshot, receivedAt]);
  return history;
}

export function ResourcesPanel(props: { usageVersion: number }) {
  const health = useHealth();
  const history = useHistory(health.snapshot, health.receivedAt);
  const [usage, setUsage] = useState<UsageSummary | null>(null);
  const { error, run } = useAction();
  const [bundle, setBundle] = useState<string | null>(null);

  async function saveDiagnostics() {
    const zip = await run(() => bridge().invoke('app.diagnostics', {}));
    if (!zip) return;
    download(zip.fileName, 'application/zip', zip.base64, 'base64');
    setBundle(`Saved ${zip.fileName} (${formatBytes(zip.bytes)}): attach it to a bug report.`);
  }

  useEffect(() => {
    void run(() => bridge().invoke('usage.summary', {})).then((summary) => summary && setUsage(summary));
  }, [run, props.usageVersion]);

  const snapshot = health.snapshot ?? [];
  const host = snapshot.find((p) => p.id === 'studio-host');
  const usageTokens = usage ? usage.totals.promptTokens + usage.totals.replyTokens : 0;
  const card = (p: HealthSnapshot[number]) => <ProviderCard key={p.id} provider={p} samples={history[p.id] ?? []} usage={usage} />;

  return (
    <section className="panel resources-panel" data-testid="panel-resources">
      <ErrorNote error={error} testId="resources-error" />
      <p className="diagnostics">
        <button data-testid="diagnostics-save" onClick={() => void saveDiagnostics()}>
          Save diagnostics for a bug report
        </button>{' '}
        {bundle && <small data-testid="diagnostics-saved">{bundle}</small>}
      </p>
      {!health.snapshot && (
        <p className="empty" data-testid="resources-waiting">
          Waiting for the first health report…
        </p>
      )}
      {usage && (
        <p className="usage-total" data-testid="usage-total">
          Today ({usage.day}): {formatCount(usage.totals.calls)} calls, {formatCount(usageTokens)} tokens, {formatUsd(usage.totals.costUsd)}
        </p>
      )}
      {host && (
        <div className="phase-group" data-testid="resource-group" data-phase="host">
          <h3>The studio itself</h3>
          <div className="cards">{card(host)}</div>
        </div>
      )}
      {CLOSE_PHASES.map((phase) => {
        const cards = snapshot.filter((p) => p.phase === phase && p.id !== 'studio-host');
        if (cards.length === 0) return null;
        return (
          <div className="phase-group" key={phase} data-testid="resource-group" data-phase={phase}>
            <h3>{PHASE_TITLES[phase]}</h3>
            <div className="cards">{cards.map(card)}</div>
          </div>
        );
      })}
      <ModelsSection />
    </section>
  );
}
