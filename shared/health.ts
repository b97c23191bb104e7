export type ProviderPhase = 'processors' | 'clients' | 'stores' | 'resources';
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
  [figure: string]: unknown;
}

export interface ProviderInfo {
  id: string;
  kind: string;
  phase: ProviderPhase;
}

export interface ProviderHealth extends ProviderInfo {
  status: HealthStatus;
  resources: ProviderFigures;
  latencyMs?: number;
  lastError?: string;
  /** Something a person can do, e.g. "Start Ollama with `ollama serve`". */
  hint?: string;
  checkedAt: string;
}

/** One snapshot of every provider, pushed at 1 Hz while anyone listens. */
export type HealthSnapshot = ProviderHealth[];
