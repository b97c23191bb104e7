import { useMemo } from 'react';
import type { HealthSample, ProviderHealth } from '../../../shared/health';
import type { UsageSummary } from '../../../shared/usage';
import { figureFormat, NOT_LISTED, summaryOf, titleOf } from '../figure-labels';
import { formatBytes, formatClock, formatCount, formatMs, formatPercent, formatUsd } from '../format';
import { levelOf, percentile, rssGrowth, THRESHOLDS, type Level } from '../thresholds';
import { ProcessTree } from './ProcessTree';
import { StatusIcon } from './StatusIcon';
import { TimeChart, type ChartSeries } from './TimeChart';

/** Test ids of the figures every card had by name; other figures are `figure-<key>`. */
const NAMED: Record<string, string> = {
  openSockets: 'open-sockets',
  inFlight: 'in-flight',
  pid: 'pid',
  rssBytes: 'rss',
  modelsLoaded: 'models-loaded',
};

function Figure(props: { name: string; label: string; value: string; level?: Level; source?: string }) {
  return (
    <div
      className={`figure ${props.level ?? 'ok'}`}
      data-testid={`resource-${props.name}`}
      data-level={props.level ?? 'ok'}
      data-source={props.source}
    >
      <dt>{props.label}</dt>
      <dd>{props.value}</dd>
    </div>
  );
}

const CHARTS: { key: keyof Omit<HealthSample, 'at'>; title: string; color: string; format: (v: number) => string }[] = [
  { key: 'rssBytes', title: 'Memory', color: '#3b6fd8', format: (v) => formatBytes(v) },
  { key: 'cpuPercent', title: 'CPU', color: '#c2572b', format: (v) => formatPercent(v) },
  { key: 'latencyMs', title: 'Latency', color: '#2f8f5b', format: (v) => formatMs(v) },
  { key: 'openSockets', title: 'Connections', color: '#7a4fc2', format: (v) => formatCount(v) },
];

function Charts(props: { id: string; samples: HealthSample[] }) {
  const { samples } = props;
  const times = useMemo(() => samples.map((s) => s.at), [samples]);
  const charts = useMemo(
    () =>
      CHARTS.filter((c) => samples.some((s) => s[c.key] !== null)).map((c) => ({
        ...c,
        series: [{ label: c.title, color: c.color, values: samples.map((s) => s[c.key]) }] as ChartSeries[],
      })),
    [samples],
  );
  if (charts.length === 0) return null;
  return (
    <div className="charts" data-testid="resource-charts">
      {charts.map((c) => (
        <TimeChart
          key={c.key}
          title={`${c.title}, last 15 min`}
          times={times}
          series={c.series}
          format={c.format}
          testId={`chart-${c.key}`}
        />
      ))}
    </div>
  );
}

/** One provider: status, a one-line summary, figures with labels and units, thresholds, charts, its error or recovery. */
export function ProviderCard(props: { provider: ProviderHealth; samples: HealthSample[]; usage: UsageSummary | null }) {
  const { provider, samples } = props;
  const r = provider.resources;
  const rows = props.usage?.rows.filter((row) => row.providerId === provider.id) ?? [];
  const growth = rssGrowth(samples);
  const p95 = percentile(
    samples.map((s) => s.latencyMs),
    95,
  );
  const levels: Record<string, Level> = { rssBytes: levelOf(growth, THRESHOLDS.rssGrowth) };
  const figures = Object.entries(r).filter(([key]) => !NOT_LISTED.has(key));
  return (
    <article
      className={`provider-card ${provider.status}`}
      data-testid="resource-card"
      data-provider-id={provider.id}
      data-status={provider.status}
      data-depends-on-down={provider.dependsOnDown ?? ''}
    >
      <header>
        <StatusIcon status={provider.status} testId="resource-status-light" />
        <strong>{titleOf(provider.id)}</strong>
        <small>{provider.id}</small>
        <span className="status" data-testid="resource-status">
          {provider.status}
        </span>
      </header>
      <p className="summary" data-testid="resource-summary">
        {summaryOf(provider)}
      </p>
      <dl>
        {figures.map(([key, value]) => {
          const f = figureFormat(key);
          const shown =
            key === 'rssBytes' && growth !== null
              ? `${f.format(value)} (${growth >= 0 ? '+' : ''}${Math.round(growth * 100)} % in 15 min)`
              : f.format(value);
          return (
            <Figure
              key={key}
              name={NAMED[key] ?? `figure-${key}`}
              label={f.label}
              value={shown}
              level={levels[key]}
              source={provider.sources?.[key]}
            />
          );
        })}
        {rows.length > 0 && (
          <>
            <Figure
              name="tokens-today"
              label="Tokens today"
              value={formatCount(rows.reduce((n, row) => n + row.promptTokens + row.replyTokens, 0))}
            />
            <Figure name="cost-today" label="Cost today" value={formatUsd(rows.reduce((n, row) => n + row.costUsd, 0))} />
          </>
        )}
        {provider.latencyMs !== undefined && <Figure name="latency" label="Latency (last check)" value={formatMs(provider.latencyMs)} />}
        {p95 !== null && (
          <Figure name="latency-p95" label="Latency, 95 % under" value={formatMs(p95)} level={levelOf(p95, THRESHOLDS.p95LatencyMs)} />
        )}
      </dl>
      {r.processes && r.processes.length > 0 && <ProcessTree processes={r.processes} />}
      <Charts id={provider.id} samples={samples} />
      {provider.lastError && (
        <div className="note error" data-testid="resource-last-error">
          {provider.lastError}
          {provider.hint && (
            <code className="hint" data-testid="resource-hint">
              {provider.hint}
            </code>
          )}
        </div>
      )}
      {!provider.lastError && provider.recovered && (
        <div className="note ok" data-testid="resource-recovered">
          Recovered at {formatClock(provider.recovered.at)}
          <details>
            <summary>the error it had</summary>
            {provider.recovered.error}
          </details>
        </div>
      )}
    </article>
  );
}
