import type { Health, HealthStatus, ProviderFigures, ProviderPhase } from '../../../shared/health';

export interface Provider {
  readonly id: string;
  readonly kind: string;
  readonly phase: ProviderPhase;
  initialize?(): Promise<void>;
  /** Preferred close: compatible with pooling. Must be idempotent. */
  cleanup?(): Promise<void>;
  /** Fallback close when there is no cleanup(). Must be idempotent. */
  shutdown?(): Promise<void>;
  healthCheck?(): Promise<Health>;
}

export function healthNow(status: HealthStatus, resources: ProviderFigures, extra: Partial<Health> = {}): Health {
  return { status, resources, ...extra, checkedAt: new Date().toISOString() };
}
