import { useSyncExternalStore } from 'react';
import type { HealthSnapshot } from '../../shared/health';
import { bridge } from './bridge';

/** Samples kept per provider: one minute at the host's 1 Hz beat. */
const HISTORY = 60;

export interface HealthState {
  snapshot: HealthSnapshot | null;
  /** Latency samples per provider id, oldest first (null where the check gave none). */
  latency: Record<string, (number | null)[]>;
  receivedAt: number | null;
}

/** Keeps the last pushed health snapshot and a minute of latency history, whichever panel is open. */
class HealthStore {
  private state: HealthState = { snapshot: null, latency: {}, receivedAt: null };
  private readonly listeners = new Set<() => void>();
  private started = false;

  subscribe = (listener: () => void): (() => void) => {
    this.start();
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  get = (): HealthState => this.state;

  private start(): void {
    if (this.started) return;
    this.started = true;
    bridge().on('health', (snapshot) => this.accept(snapshot));
  }

  private accept(snapshot: HealthSnapshot): void {
    const latency: Record<string, (number | null)[]> = {};
    for (const provider of snapshot) {
      const previous = this.state.latency[provider.id] ?? [];
      latency[provider.id] = [...previous, provider.latencyMs ?? null].slice(-HISTORY);
    }
    this.state = { snapshot, latency, receivedAt: Date.now() };
    for (const listener of [...this.listeners]) listener();
  }
}

export const healthStore = new HealthStore();

export function useHealth(): HealthState {
  return useSyncExternalStore(healthStore.subscribe, healthStore.get);
}
