import { describe, expect, it } from 'vitest';
import type { ProviderHealth } from '../../shared/health';
import { deriveHealth, RecoveryTracker } from '../../electron/host/resources/health-view';

function card(id: string, status: ProviderHealth['status'], extra: Partial<ProviderHealth> = {}): ProviderHealth {
  return { id, kind: id, phase: 'clients', status, resources: {}, checkedAt: '2026-01-01T10:00:00.000Z', ...extra };
}

describe('deriveHealth', () => {
  it('marks the local processor degraded while the Ollama client is down, naming it', () => {
    const [local] = deriveHealth([
      card('local-processor', 'healthy'),
      card('ollama-client', 'unhealthy', { lastError: 'Ollama is not running at http://127.0.0.1:1', hint: 'Start Ollama' }),
    ]);
    expect(local).toMatchObject({ status: 'degraded', dependsOnDown: 'ollama-client', hint: 'Start Ollama' });
    expect(local!.lastError).toBe('needs ollama-client, which is unhealthy: Ollama is not running at http://127.0.0.1:1');
  });

  it('leaves it healthy when the client is healthy or degraded', () => {
    expect(deriveHealth([card('local-processor', 'healthy'), card('ollama-client', 'degraded')])[0]!.status).toBe('healthy');
  });
});

describe('RecoveryTracker', () => {
  it('clears the error on recovery and says when it recovered', () => {
    const tracker = new RecoveryTracker();
    tracker.apply([card('ollama-client', 'unhealthy', { lastError: 'refused' })]);
    const [back] = tracker.apply([card('ollama-client', 'healthy', { lastError: 'refused', checkedAt: '2026-01-01T10:05:00.000Z' })]);
    expect(back!.lastError).toBeUndefined();
    expect(back!.recovered).toEqual({ at: '2026-01-01T10:05:00.000Z', error: 'refused' });
    // Stays on later healthy reports, with the first recovery time.
    expect(tracker.apply([card('ollama-client', 'healthy', { checkedAt: '2026-01-01T10:06:00.000Z' })])[0]!.recovered!.at).toBe(
      '2026-01-01T10:05:00.000Z',
    );
    // A new failure drops it.
    expect(tracker.apply([card('ollama-client', 'unhealthy', { lastError: 'again' })])[0]).not.toHaveProperty('recovered');
  });

  it('a provider that was never down has no recovery note', () => {
    expect(new RecoveryTracker().apply([card('npc-store', 'healthy')])[0]).not.toHaveProperty('recovered');
  });
});
