/** When a provider is closed during shutdown; the close steps run in this order. */
export const CLOSE_PHASES = ['processors', 'clients', 'stores', 'resources'] as const;
export type ProviderPhase = (typeof CLOSE_PHASES)[number];

export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy' | 'stopped';

/** Real, measured figures; each provider reports what it owns (unknown extra figures are shown as is). */
export interface ProviderFigures {
  openSockets?: number;
  inFlight?: number;
  pid?: number | null;
  rssBytes?: number | null;
  openFiles?: number;
  modelsLoaded?: string[] | number;
  tokensToday?: number;
  costTodayUsd?: number;
  /** The host and its children (host first), for the process tree. */
  processes?: ProcessFigures[];
  [figure: string]: unknown;
}

/**
 * Where a figure came from: Node's own accounting, the pidusage library (ps on macOS, WMI on Windows), Linux's
 * /proc, macOS's /dev/fd, the provider's own bookkeeping, or `unknown` where the OS does not tell.
 */
export type FigureSource = 'node' | 'pidusage' | 'proc' | 'dev-fd' | 'provider' | 'unknown';

/** One process of the tree: the host (parentPid null) or a child it started. null = the OS does not tell. */
export interface ProcessFigures {
  pid: number;
  parentPid: number | null;
  /** What it is, e.g. "studio host", "Chroma server". */
  name: string;
  rssBytes: number | null;
  cpuPercent: number | null;
  openFds: number | null;
  listeningPorts: number[] | null;
  /** Figure name → where it came from. */
  sources: Record<string, FigureSource>;
}

export interface ProviderInfo {
  id: string;
  kind: string;
  phase: ProviderPhase;
}

/** What a provider's healthCheck() returns. */
export interface Health {
  status: HealthStatus;
  resources: ProviderFigures;
  latencyMs?: number;
  lastError?: string;
  /** Something a person can do, e.g. "Start Ollama with `ollama serve`". */
  hint?: string;
  /** Figure name → where it came from (figures not named here are the provider's own bookkeeping). */
  sources?: Record<string, FigureSource>;
  /** The last error of a provider that is healthy again, and when it recovered. */
  recovered?: { at: string; error: string };
  /** For a provider degraded because something it needs is down: that provider's id. */
  dependsOnDown?: string;
  checkedAt: string;
}

export type ProviderHealth = ProviderInfo & Health;

/** One point of a provider's charts (null where the figure was not reported). */
export interface HealthSample {
  /** ms since the epoch. */
  at: number;
  rssBytes: number | null;
  cpuPercent: number | null;
  latencyMs: number | null;
  openSockets: number | null;
}

/** The last 15 minutes of samples per provider id, oldest first. */
export type HealthHistory = Record<string, HealthSample[]>;

/** How far back the charts go. */
export const HEALTH_HISTORY_MS = 15 * 60_000;

/** One snapshot of every provider, pushed at 1 Hz while anyone listens. */
export type HealthSnapshot = ProviderHealth[];
