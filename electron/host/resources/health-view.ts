import type { HealthSnapshot, ProviderHealth } from '../../../shared/health';

/** Which provider each one needs to do its work: a processor is degraded while its client is down. */
export const NEEDS: Readonly<Record<string, readonly string[]>> = {
  'local-processor': ['ollama-client'],
  'hosted-processor': ['bedrock'],
  'knowledge-store': ['chroma-server'],
};

const DOWN = new Set(['unhealthy', 'stopped']);

/**
 * A provider that is healthy on its own but needs one that is down reads degraded, naming it: the local
 * processor cannot chat while the Ollama client cannot reach Ollama, whatever its own state says.
 */
export function deriveHealth(snapshot: HealthSnapshot): HealthSnapshot {
  const byId = new Map(snapshot.map((p) => [p.id, p]));
  return snapshot.map((p) => {
    if (p.status !== 'healthy') return p;
    const needed = (NEEDS[p.id] ?? []).map((id) => byId.get(id)).find((dep) => dep && DOWN.has(dep.status));
    if (!needed) return p;
    const why = needed.lastError ? `: ${needed.lastError}` : '';
    return {
      ...p,
      status: 'degraded',
      dependsOnDown: needed.id,
      lastError: `needs ${needed.id}, which is ${needed.status}${why}`,
      hint: needed.hint,
    };
  });
}

/**
 * Clears the error of a provider that is healthy again: the card shows "recovered at T" with the old error
 * folded under it, instead of a green card with a red error. Keeps one entry per provider id.
 */
export class RecoveryTracker {
  private readonly lastProblem = new Map<string, string>();
  private readonly recovered = new Map<string, { at: string; error: string }>();

  apply(snapshot: HealthSnapshot): HealthSnapshot {
    return snapshot.map((p) => this.one(p));
  }

  private one(p: ProviderHealth): ProviderHealth {
    if (p.status === 'healthy') {
      const problem = this.lastProblem.get(p.id);
      if (problem !== undefined) {
        this.recovered.set(p.id, { at: p.checkedAt, error: problem });
        this.lastProblem.delete(p.id);
      }
      const { lastError: _stale, hint: _hint, ...rest } = p;
      const recovered = this.recovered.get(p.id);
      return recovered ? { ...rest, recovered } : rest;
    }
    if (p.status === 'unhealthy' || p.status === 'degraded') {
      this.lastProblem.set(p.id, p.lastError ?? p.status);
      this.recovered.delete(p.id);
    }
    return p;
  }
}
