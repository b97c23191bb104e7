import type { ProviderHealth } from '../../shared/health';
import { formatAgo, formatBytes, formatCount, formatMs, formatPercent, formatUsd } from './format';

/** How one figure reads: a label a designer understands and its value with units. */
export interface FigureFormat {
  label: string;
  format(value: unknown): string;
}

const text = (value: unknown): string => {
  if (value === null || value === undefined) return 'unknown';
  if (Array.isArray(value)) return value.length ? value.join(', ') : 'none';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
};
const num = (f: (n: number) => string) => (value: unknown) => (typeof value === 'number' ? f(value) : text(value));
const count = num(formatCount);
const bytes = num(formatBytes);
const ms = num(formatMs);

/** Every figure a provider reports, by its key; a key not listed here shows as its words ("someFigure" → "Some figure"). */
export const FIGURES: Readonly<Record<string, FigureFormat>> = {
  pid: { label: 'Process id', format: text },
  rssBytes: { label: 'Memory (RSS)', format: bytes },
  heapUsedBytes: { label: 'JavaScript heap', format: bytes },
  cpuPercent: { label: 'CPU (share of one core)', format: num(formatPercent) },
  openSockets: { label: 'Open connections', format: count },
  osSocketsToPort: { label: 'Connections seen by the OS', format: count },
  socketsToEndpoint: { label: 'Connections seen by the OS', format: count },
  openFds: { label: 'Open files and sockets', format: count },
  openFiles: { label: 'Open files', format: count },
  inFlight: { label: 'Requests in progress', format: count },
  providers: { label: 'Services running', format: count },
  panelsListening: { label: 'Studio windows connected', format: count },
  cleanupsTotal: { label: 'Services closed', format: count },
  cleanupsFailed: { label: 'Closes that failed', format: count },
  cleanupsTimedOut: { label: 'Closes that timed out', format: count },
  uptimeMs: { label: 'Running for', format: ms },
  restarts: { label: 'Restarts', format: count },
  port: { label: 'Port', format: text },
  url: { label: 'Address', format: text },
  reachable: { label: 'Reachable', format: text },
  version: { label: 'Version', format: text },
  modelsAvailable: { label: 'Models on disk', format: (v) => (Array.isArray(v) ? String(v.length) : text(v)) },
  modelsLoaded: { label: 'Models in memory', format: text },
  chatsServed: { label: 'Replies served', format: count },
  embeddingModel: { label: 'Embedding model', format: text },
  tokensToday: { label: 'Tokens today', format: count },
  costTodayUsd: { label: 'Cost today', format: num(formatUsd) },
  costAllTimeUsd: { label: 'Cost, all time', format: num(formatUsd) },
  calls: { label: 'Calls', format: count },
  failures: { label: 'Failed calls', format: count },
  configured: { label: 'Set up', format: text },
  region: { label: 'AWS region', format: text },
  lastCall: {
    label: 'Last call',
    format: (v) => {
      const call = v as { at?: string; ok?: boolean; latencyMs?: number; code?: string } | null;
      if (!call) return 'none yet';
      return (
        `${call.ok ? 'ok' : (call.code ?? 'failed')}` +
        `${call.latencyMs !== undefined ? `, ${formatMs(call.latencyMs)}` : ''}` +
        `${call.at ? `, ${formatAgo(call.at)}` : ''}`
      );
    },
  },
  droppedOnOpen: { label: 'Damaged records skipped', format: count },
  skippedOnOpen: { label: 'Unreadable records skipped', format: count },
  journalOpen: { label: 'Log file open', format: text },
  cachedCollections: { label: 'Collections open', format: count },
  npcs: { label: 'NPCs with lore', format: count },
  diskBytes: { label: 'Size on disk', format: bytes },
  lastRestart: {
    label: 'Last restart',
    format: (v) => {
      const r = v as { at: string; reason: string } | null;
      return r ? `${formatAgo(r.at)}: ${r.reason}` : 'never';
    },
  },
  collections: {
    label: 'Lore collections',
    format: (v) => {
      const list = v as { npcId: string; chunks: number; model: string | null; dimension: number | null }[] | undefined;
      if (!Array.isArray(list) || list.length === 0) return 'none yet';
      return list
        .map(
          (c) =>
            `${c.npcId}: ${formatCount(c.chunks)} chunks, ` +
            `${c.model ?? 'model unknown'}${c.dimension ? ` (${c.dimension} dimensions)` : ''}`,
        )
        .join('; ');
    },
  },
  latencyP50Ms: { label: 'Latency, half of calls under', format: ms },
  latencyP95Ms: { label: 'Latency, 95 % of calls under', format: ms },
  throttles: { label: 'Throttled calls', format: count },
  errorsByType: {
    label: 'Errors by type',
    format: (v) => {
      const entries = Object.entries((v ?? {}) as Record<string, number>);
      return entries.length ? entries.map(([k, n]) => `${k}: ${n}`).join(', ') : 'none';
    },
  },
  hostedTokensToday: { label: 'Hosted tokens today', format: count },
  hostedCostTodayUsd: { label: 'Hosted cost today', format: num(formatUsd) },
  hostedTokensThisMonth: { label: 'Hosted tokens this month', format: count },
  hostedCostThisMonthUsd: { label: 'Hosted cost this month', format: num(formatUsd) },
  budgetCapUsd: { label: 'Monthly budget cap', format: (v) => (typeof v === 'number' ? formatUsd(v) : 'no cap') },
};

/** Figures shown elsewhere on the card (the process tree, the charts), not in the list. */
export const NOT_LISTED = new Set(['processes']);

export function figureFormat(key: string): FigureFormat {
  return FIGURES[key] ?? { label: wordsOf(key), format: text };
}

/** "cleanupsTimedOut" → "Cleanups timed out". */
export function wordsOf(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[-_]/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Names a designer reads on the cards. */
const TITLES: Record<string, string> = {
  'studio-host': 'Studio host',
  'ollama-client': 'Ollama connection',
  'local-processor': 'Local chat (Ollama)',
  bedrock: 'AWS Bedrock connection',
  'hosted-processor': 'Hosted chat (Bedrock)',
  'chroma-server': 'Chroma server',
  'knowledge-store': 'Lore search',
  'npc-store': 'NPC files',
  'lorebook-store': 'Lorebook files',
  'transcript-store': 'Conversations',
  'usage-tracker': 'Token and cost log',
};

export function titleOf(id: string): string {
  return TITLES[id] ?? wordsOf(id);
}

/** One line that says how a provider is doing, from its figures. */
export function summaryOf(p: ProviderHealth): string {
  const r = p.resources;
  const parts: string[] = [];
  const latency = p.latencyMs !== undefined ? `answers in ${formatMs(p.latencyMs)}` : null;
  if (p.id === 'studio-host') {
    parts.push(
      `${formatBytes(r.rssBytes as number)} memory`,
      `${formatPercent(r.cpuPercent as number)} CPU`,
      `${count(r.openSockets)} connections`,
      `${count(r.inFlight)} requests in progress`,
    );
  } else if (p.kind === 'ollama-client') {
    if (r.reachable === false) parts.push(`cannot reach Ollama at ${text(r.url)}`);
    else {
      parts.push(`Ollama ${text(r.version)} at ${text(r.url)}`);
      if (Array.isArray(r.modelsAvailable)) parts.push(`${r.modelsAvailable.length} models on disk`);
      if (Array.isArray(r.modelsLoaded)) parts.push(`${r.modelsLoaded.length} in memory`);
    }
    if (latency) parts.push(latency);
  } else if (typeof r.pid === 'number') {
    parts.push(`pid ${r.pid}`, `${formatBytes(r.rssBytes as number)} memory`);
    if (typeof r.uptimeMs === 'number') parts.push(`up ${formatMs(r.uptimeMs)}`);
    if (latency) parts.push(latency);
  } else {
    if (typeof r.inFlight === 'number') parts.push(`${r.inFlight} in progress`);
    if (typeof r.calls === 'number') parts.push(`${r.calls} calls`);
    if (latency) parts.push(latency);
  }
  if (p.dependsOnDown) parts.unshift(`waiting for ${titleOf(p.dependsOnDown)}`);
  return parts.length ? parts.join(' · ') : p.status;
}
