import { useEffect, useState } from 'react';
import type { ProviderHealth } from '../../../shared/health';
import type { UsageSummary } from '../../../shared/usage';
import { bridge } from '../bridge';
import { ErrorNote } from '../components/Field';
import { Sparkline } from '../components/Sparkline';
import { formatBytes } from '../files';
import { useHealth } from '../health-store';
import { useAction } from '../hooks';

/** Figures every card shows by name; any other figure a provider reports is listed after them. */
const KNOWN = new Set(['openSockets', 'inFlight', 'pid', 'rssBytes', 'modelsLoaded', 'tokensToday', 'costTodayUsd']);

function show(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (Array.isArray(value)) return value.length ? value.join(', ') : 'none';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function Figure(props: { name: string; label: string; value: string }) {
  return (
    <div className="figure" data-testid={`resource-${props.name}`}>
      <dt>{props.label}</dt>
      <dd>{props.value}</dd>
    </div>
  );
}

function ProviderCard(props: { provider: ProviderHealth; latency: (number | null)[]; usage: UsageSummary | null }) {
  const { provider, latency } = props;
  const r = provider.resources;
  const rows = props.usage?.rows.filter((row) => row.providerId === provider.id) ?? [];
  const tokens = typeof r.tokensToday === 'number' ? r.tokensToday : rows.length ? rows.reduce((n, row) => n + row.promptTokens + row.replyTokens, 0) : undefined;
  const cost = typeof r.costTodayUsd === 'number' ? r.costTodayUsd : rows.length ? rows.reduce((n, row) => n + row.costUsd, 0) : undefined;
  const extra = Object.entries(r).filter(([key]) => !KNOWN.has(key));
  return (
    <article className={`provider-card ${provider.status}`} data-testid="resource-card" data-provider-id={provider.id} data-status={provider.status}>
      <header>
        <span className={`light ${provider.status}`} data-testid="resource-status-light" title={provider.status} />
        <strong>{provider.id}</strong>
        <small>
          {provider.kind} · step {provider.phase}
        </small>
        <span className="status" data-testid="resource-status">
          {provider.status}
        </span>
      </header>
      <dl>
        {'openSockets' in r && <Figure name="open-sockets" label="Open sockets" value={show(r.openSockets)} />}
        {'inFlight' in r && <Figure name="in-flight" label="In flight" value={show(r.inFlight)} />}
        {'pid' in r && <Figure name="pid" label="Child pid" value={show(r.pid)} />}
        {'rssBytes' in r && <Figure name="rss" label="RSS" value={typeof r.rssBytes === 'number' ? formatBytes(r.rssBytes) : '—'} />}
        {'modelsLoaded' in r && <Figure name="models-loaded" label="Models loaded" value={show(r.modelsLoaded)} />}
        {tokens !== undefined && <Figure name="tokens-today" label="Tokens today" value={String(tokens)} />}
        {cost !== undefined && <Figure name="cost-today" label="Cost today" value={`$${cost.toFixed(4)}`} />}
        {extra.map(([key, value]) => (
          <Figure key={key} name={`figure-${key}`} label={key} value={show(value)} />
        ))}
        <Figure name="latency" label="Latency" value={provider.latencyMs === undefined ? '—' : `${Math.round(provider.latencyMs)} ms`} />
      </dl>
      <Sparkline values={latency} />
      {provider.lastError && (
        <div className="note error" data-testid="resource-last-error">
          {provider.lastError}
          {provider.hint && <code className="hint" data-testid="resource-hint">{provider.hint}</code>}
        </div>
      )}
    </article>
  );
}

export function ResourcesPanel(props: { usageVersion: number }) {
  const health = useHealth();
  const [usage, setUsage] = useState<UsageSummary | null>(null);
  const { error, run } = useAction();

  useEffect(() => {
    void run(() => bridge().invoke('usage.summary', {})).then((summary) => summary && setUsage(summary));
  }, [run, props.usageVersion]);

  return (
    <section className="panel resources-panel" data-testid="panel-resources">
      <ErrorNote error={error} testId="resources-error" />
      {!health.snapshot && <p className="empty" data-testid="resources-waiting">Waiting for the first health report…</p>}
      <div className="cards">
        {health.snapshot?.map((provider) => (
          <ProviderCard key={provider.id} provider={provider} latency={health.latency[provider.id] ?? []} usage={usage} />
        ))}
      </div>
      {usage && (
        <p className="usage-total" data-testid="usage-total">
          Today ({usage.day}): {usage.totals.calls} calls, {usage.totals.promptTokens + usage.totals.replyTokens} tokens, ${usage.totals.costUsd.toFixed(4)}
        </p>
      )}
    </section>
  );
}
