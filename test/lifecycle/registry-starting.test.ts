/* A shutdown that begins while a provider is still starting closes that provider too, and reports it. */
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../electron/host/log/logger';
import { ProviderRegistry, RegistrationError } from '../../electron/host/lifecycle/provider-registry';
import { ScriptedProvider } from '../support/scripted-provider';

function setup(cleanupTimeoutMs = 1000) {
  const logs = memoryLogger();
  return { registry: new ProviderRegistry({ logger: logs.logger, cleanupTimeoutMs }), ring: logs.ring };
}

describe('ProviderRegistry: a provider still starting when shutdown begins', () => {
  it('is closed in its step, listed in the summary, and its register() is refused', async () => {
    const { registry, ring } = setup();
    const ready = await registry.register(new ScriptedProvider('ready', { phase: 'stores' }));
    const booting = new ScriptedProvider('booting', { phase: 'resources', initialize: { kind: 'resolve', afterMs: 150 } });
    const registering = registry.register(booting);
    const refused = expect(registering).rejects.toBeInstanceOf(RegistrationError);
    await new Promise((r) => setTimeout(r, 20));
    expect(booting.calls.initialize).toBe(1);

    const summary = await registry.stop();
    expect(summary.records.map((r) => [r.id, r.step, r.outcome])).toEqual([
      ['ready', 'stores', 'ok'],
      ['booting', 'resources', 'ok'],
    ]);
    expect(booting.calls.cleanup).toBe(1);
    expect(booting.open).toBe(false);
    expect(ready.open).toBe(false);
    await refused;
    await expect(registering).rejects.toThrow(/booting could not be registered: the studio began shutting down while it started/);
    expect(registry.list()).toEqual([]);
    expect(ring.messages()).toContain('INFO Closed provider booting, which was still starting');
  });

  it('waits for the interrupted initialize only within the cleanup bound, and records it as timed out', async () => {
    const { registry } = setup(150);
    const stuck = new ScriptedProvider('stuck-start', { initialize: { kind: 'hang' } });
    void registry.register(stuck).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 10));
    const t0 = performance.now();
    const summary = await registry.stop();
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(summary.records).toMatchObject([
      { id: 'stuck-start', outcome: 'timed-out', error: 'initialize of stuck-start was still running 150 ms after shutdown began' },
    ]);
    expect(summary.failed).toBe(1);
  });
});
