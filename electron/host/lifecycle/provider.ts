/** When a provider is closed during shutdown; steps run in this order. */
export const CLOSE_PHASES = ['processors', 'clients', 'stores', 'resources'] as const;
export type Phase = (typeof CLOSE_PHASES)[number];

export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy' | 'stopped';

/** Real, measured figures; each provider reports what it owns. */
export interface ProviderResources {
  openSockets?: number;
  inFlight?: number;
  pid?: number | null;
  rssBytes?: number | null;
  openFiles?: number;
  [figure: string]: unknown;
}

export interface Health {
  status: HealthStatus;
  resources: ProviderResources;
  latencyMs?: number;
  lastError?: string;
  /** A hint a person can act on, e.g. how to start Ollama. */
  hint?: string;
  checkedAt: string;
}

export interface Provider {
  readonly id: string;
  readonly kind: string;
  readonly phase: Phase;
  initialize?(): Promise<void>;
  /** Preferred close: compatible with pooling. Must be idempotent. */
  cleanup?(): Promise<void>;
  /** Fallback close when there is no cleanup(). Must be idempotent. */
  shutdown?(): Promise<void>;
  healthCheck?(): Promise<Health>;
}

export function healthNow(status: HealthStatus, resources: ProviderResources, extra: Partial<Health> = {}): Health {
  return { status, resources, ...extra, checkedAt: new Date().toISOString() };
}
