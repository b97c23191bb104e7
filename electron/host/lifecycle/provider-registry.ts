import { CLOSE_PHASES, type ProviderHealth, type ProviderInfo, type ProviderPhase } from '../../../shared/health';
import type { Logger } from '../log/logger';
import { countRecords, emptyCounters, type CleanupCounters } from './cleanup-counters';
import { closeProvider, type CloseRecord } from './close-provider';
import { closeStartingProvider } from './close-starting-provider';
import { healthNow, type Provider } from './provider';
import { withTimeout } from './timeout';
import { errorMessage } from '../../../shared/errors';

export interface RegistryOptions {
  logger: Logger;
  /** Bound on each provider's cleanup()/shutdown(). */
  cleanupTimeoutMs?: number;
  initializeTimeoutMs?: number;
  healthTimeoutMs?: number;
}

export interface StopOptions {
  /** Absolute time (performance.now()) past which nothing more is waited for. */
  deadlineAt?: number;
  onPhaseStart?(phase: ProviderPhase, providers: readonly Provider[]): void;
  onRecord?(record: CloseRecord): void;
}

export interface StopSummary {
  records: CloseRecord[];
  ok: number;
  failed: number;
  ms: number;
}

export class RegistrationError extends Error {
  constructor(id: string, reason: string) {
    super(`Provider ${id} could not be registered: ${reason}`);
    this.name = 'RegistrationError';
  }
}

export class ProviderRegistry {
  private readonly providers = new Map<string, Provider>();
  /** Providers whose initialize() is in flight: a shutdown that begins now closes them too. */
  private readonly starting = new Map<string, { provider: Provider; initialized: Promise<unknown> }>();
  private readonly totals: CleanupCounters = emptyCounters();
  private stopping: Promise<StopSummary> | null = null;
  private readonly logger: Logger;
  private readonly cleanupTimeoutMs: number;
  private readonly initializeTimeoutMs: number;
  private readonly healthTimeoutMs: number;

  constructor(options: RegistryOptions) {
    this.logger = options.logger;
    this.cleanupTimeoutMs = options.cleanupTimeoutMs ?? 2000;
    this.initializeTimeoutMs = options.initializeTimeoutMs ?? 30_000;
    this.healthTimeoutMs = options.healthTimeoutMs ?? 2000;
  }

  /** Initializes the provider and adds it; a failed initialize is cleaned up and leaves nothing registered. */
  async register<P extends Provider>(provider: P): Promise<P> {
    if (this.stopping) throw new RegistrationError(provider.id, 'the registry is stopped');
    if (this.providers.has(provider.id) || this.starting.has(provider.id)) {
      throw new RegistrationError(provider.id, 'the id is already registered');
    }
    if (!CLOSE_PHASES.includes(provider.phase)) throw new RegistrationError(provider.id, `unknown phase "${String(provider.phase)}"`);
    if (provider.initialize) {
      const started = performance.now();
      const initializing = withTimeout(provider.initialize(), this.initializeTimeoutMs, `initialize of ${provider.id}`);
      this.starting.set(provider.id, { provider, initialized: initializing.catch(() => undefined) });
      try {
        await initializing;
      } catch (err) {
        this.starting.delete(provider.id);
        // Shutdown began meanwhile: stop() closes it and lists it in its report.
        if (this.stopping) throw new RegistrationError(provider.id, `the studio is shutting down (${errorMessage(err)})`);
        this.logger.warn(
          { provider: provider.id },
          `Provider ${provider.id} failed to initialize: ${errorMessage(err)}; closing what it opened`,
        );
        this.count(await closeProvider(provider, this.cleanupTimeoutMs, this.logger));
        throw new RegistrationError(provider.id, errorMessage(err));
      }
      this.starting.delete(provider.id);
      if (this.stopping) {
        throw new RegistrationError(provider.id, 'the studio began shutting down while it started; it is closed with the others');
      }
      this.logger.debug({ provider: provider.id }, `Initialized provider ${provider.id} (${Math.round(performance.now() - started)} ms)`);
    }
    this.providers.set(provider.id, provider);
    return provider;
  }

  /** Removes the provider and cleans it up; undefined when no such provider is registered. */
  async unregister(id: string): Promise<CloseRecord | undefined> {
    const provider = this.providers.get(id);
    if (!provider) return undefined;
    this.providers.delete(id);
    return this.count(await closeProvider(provider, this.cleanupTimeoutMs, this.logger));
  }

  get(id: string): Provider | undefined {
    return this.providers.get(id);
  }

  list(): ProviderInfo[] {
    return [...this.providers.values()].map(({ id, kind, phase }) => ({ id, kind, phase }));
  }

  counters(): CleanupCounters {
    return { ...this.totals };
  }

  get stopped(): boolean {
    return this.stopping !== null;
  }

  /**
   * Cleans up every provider, step by step (processors, clients, stores, resources), concurrently within
   * a step, then clears the table. Every caller gets the same promise.
   */
  stop(options: StopOptions = {}): Promise<StopSummary> {
    this.stopping ??= this.cleanupAll(options);
    return this.stopping;
  }

  async health(): Promise<ProviderHealth[]> {
    return Promise.all(
      [...this.providers.values()].map(async (p) => {
        const meta = { id: p.id, kind: p.kind, phase: p.phase };
        if (!p.healthCheck) return { ...meta, ...healthNow('healthy', {}) };
        try {
          return { ...meta, ...(await withTimeout(p.healthCheck(), this.healthTimeoutMs, `health check of ${p.id}`)) };
        } catch (err) {
          return { ...meta, ...healthNow('unhealthy', {}, { lastError: errorMessage(err) }) };
        }
      }),
    );
  }

  private async cleanupAll(options: StopOptions): Promise<StopSummary> {
    const started = performance.now();
    this.logger.info('Cleaning up all provider instances...');
    const records: CloseRecord[] = [];
    const starting = new Map(this.starting);
    const all = [...this.providers.values(), ...[...starting.values()].map((s) => s.provider)];
    for (const phase of CLOSE_PHASES) {
      const inPhase = all.filter((p) => p.phase === phase);
      options.onPhaseStart?.(phase, inPhase);
      await Promise.all(
        inPhase.map(async (provider) => {
          const timeout = this.timeoutWithin(options.deadlineAt);
          const init = starting.get(provider.id);
          const closed = init
            ? closeStartingProvider(provider, init.initialized, timeout, this.logger)
            : closeProvider(provider, timeout, this.logger);
          const record = this.count(await closed);
          records.push(record);
          options.onRecord?.(record);
        }),
      );
    }
    this.providers.clear();
    const ok = records.filter((r) => r.outcome === 'ok' || r.outcome === 'no-method').length;
    const failed = records.length - ok;
    const ms = Math.round(performance.now() - started);
    this.logger.info({ ok, failed, ms }, `Provider cleanup completed (${ok} ok, ${failed} failed, ${ms} ms)`);
    return { records, ok, failed, ms };
  }

  private timeoutWithin(deadlineAt: number | undefined): number {
    if (deadlineAt === undefined) return this.cleanupTimeoutMs;
    return Math.max(0, Math.min(this.cleanupTimeoutMs, deadlineAt - performance.now()));
  }

  private count(record: CloseRecord): CloseRecord {
    countRecords([record], this.totals);
    return record;
  }
}
