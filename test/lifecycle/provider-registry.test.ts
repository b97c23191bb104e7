import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../electron/host/log/logger';
import { ProviderRegistry, RegistrationError } from '../../electron/host/lifecycle/provider-registry';
import { ScriptedProvider, Trace } from '../support/scripted-provider';

function setup(cleanupTimeoutMs = 200) {
  const logs = memoryLogger();
  const registry = new ProviderRegistry({ logger: logs.logger, cleanupTimeoutMs });
  return { registry, ring: logs.ring };
}

describe('ProviderRegistry', () => {
  it('initializes on register and lists the provider', async () => {
    const { registry } = setup();
    const p = await registry.register(new ScriptedProvider('a'));
    expect(p.calls.initialize).toBe(1);
    expect(registry.list()).toEqual([{ id: 'a', kind: 'scripted', phase: 'clients' }]);
  });

  it('cleans up a single provider on stop and logs it', async () => {
    const { registry, ring } = setup();
    const p = await registry.register(new ScriptedProvider('ollama-local'));
    const summary = await registry.stop();
    expect(p.calls.cleanup).toBe(1);
    expect(summary.records.map((r) => [r.id, r.method, r.outcome])).toEqual([['ollama-local', 'cleanup', 'ok']]);
    expect(registry.list()).toEqual([]);
    const lines = ring.messages();
    expect(lines).toContain('INFO Cleaning up all provider instances...');
    expect(lines.some((l) => /^DEBUG ✅ Cleaned up provider ollama-local \(cleanup, \d+ ms\)$/.test(l))).toBe(true);
    expect(lines.some((l) => /^INFO Provider cleanup completed \(1 ok, 0 failed, \d+ ms\)$/.test(l))).toBe(true);
  });

  it('cleans up multiple providers', async () => {
    const { registry } = setup();
    const ps = await Promise.all(['a', 'b', 'c'].map((id) => registry.register(new ScriptedProvider(id))));
    const summary = await registry.stop();
    expect(summary.ok).toBe(3);
    expect(ps.every((p) => p.calls.cleanup === 1 && !p.open)).toBe(true);
  });

  it('prefers cleanup() over shutdown(), falls back to shutdown()', async () => {
    const { registry } = setup();
    const both = await registry.register(new ScriptedProvider('both', { methods: ['cleanup', 'shutdown'] }));
    const onlyShutdown = await registry.register(new ScriptedProvider('legacy', { methods: ['shutdown'] }));
    const summary = await registry.stop();
    expect(both.calls).toMatchObject({ cleanup: 1, shutdown: 0 });
    expect(onlyShutdown.calls).toMatchObject({ cleanup: 0, shutdown: 1 });
    expect(summary.records.find((r) => r.id === 'legacy')?.method).toBe('shutdown');
  });

  it('warns about a provider with neither method and still counts it', async () => {
    const { registry, ring } = setup();
    await registry.register(new ScriptedProvider('bare', { methods: [] }));
    const summary = await registry.stop();
    expect(summary.records[0]).toMatchObject({ id: 'bare', method: 'none', outcome: 'no-method' });
    expect(registry.counters()).toMatchObject({ total: 1, noMethod: 1 });
    expect(ring.tail(10, 'warn').map((e) => e.msg)).toContain('Provider bare has neither cleanup() nor shutdown(); nothing to close');
  });

  it('records a provider that throws and closes the others', async () => {
    const { registry, ring } = setup();
    const good = await registry.register(new ScriptedProvider('good'));
    await registry.register(new ScriptedProvider('bedrock', { close: { kind: 'throw', message: 'Connection error' } }));
    const summary = await registry.stop();
    expect(good.open).toBe(false);
    expect(summary.failed).toBe(1);
    expect(summary.records.find((r) => r.id === 'bedrock')).toMatchObject({ outcome: 'failed', error: 'Connection error' });
    expect(ring.messages()).toContain('WARN ❌ Failed to cleanup provider bedrock: Connection error');
    expect(registry.counters()).toMatchObject({ total: 2, ok: 1, failed: 1, timedOut: 0 });
  });

  it('times out a provider that hangs and closes the others', async () => {
    const { registry } = setup(100);
    const good = await registry.register(new ScriptedProvider('good', { close: { kind: 'resolve', afterMs: 20 } }));
    await registry.register(new ScriptedProvider('stuck', { close: { kind: 'hang' } }));
    const summary = await registry.stop();
    expect(good.open).toBe(false);
    expect(summary.records.find((r) => r.id === 'stuck')).toMatchObject({
      outcome: 'timed-out',
      error: 'cleanup of stuck timed out after 100 ms',
    });
    expect(registry.counters().timedOut).toBe(1);
  });

  it('unregister cleans up that provider only', async () => {
    const { registry } = setup();
    const a = await registry.register(new ScriptedProvider('a'));
    const b = await registry.register(new ScriptedProvider('b'));
    const record = await registry.unregister('a');
    expect(record).toMatchObject({ id: 'a', outcome: 'ok' });
    expect(a.calls.cleanup).toBe(1);
    expect(b.calls.cleanup).toBe(0);
    expect(registry.list().map((p) => p.id)).toEqual(['b']);
    expect(await registry.unregister('a')).toBeUndefined();
  });

  it('stop twice returns the same result and closes each provider once', async () => {
    const { registry } = setup();
    const p = await registry.register(new ScriptedProvider('a', { close: { kind: 'resolve', afterMs: 10 } }));
    const first = registry.stop();
    const second = registry.stop();
    expect(second).toBe(first);
    expect(await second).toBe(await first);
    expect(p.calls.cleanup).toBe(1);
    await expect(registry.register(new ScriptedProvider('late'))).rejects.toThrow(RegistrationError);
  });

  it('a failed initialize leaves nothing registered and cleans up what it opened', async () => {
    const { registry } = setup();
    const broken = new ScriptedProvider('broken', { initialize: { kind: 'throw', message: 'port in use' } });
    await expect(registry.register(broken)).rejects.toThrow('Provider broken could not be registered: port in use');
    expect(registry.list()).toEqual([]);
    expect(broken.calls.cleanup).toBe(1);
    expect(broken.open).toBe(false);
  });

  it('refuses a duplicate id without touching the registered one', async () => {
    const { registry } = setup();
    const first = await registry.register(new ScriptedProvider('dup'));
    await expect(registry.register(new ScriptedProvider('dup'))).rejects.toThrow('already registered');
    expect(registry.get('dup')).toBe(first);
  });

  it('runs steps strictly in order and providers within a step concurrently', async () => {
    const { registry } = setup(1000);
    const trace = new Trace();
    const mk = (id: string, phase: 'processors' | 'clients' | 'stores' | 'resources', afterMs: number) =>
      registry.register(new ScriptedProvider(id, { phase, trace, close: { kind: 'resolve', afterMs } }));
    // Registered out of order on purpose.
    await mk('chroma', 'resources', 5);
    await mk('npcs', 'stores', 10);
    await mk('local', 'processors', 30);
    await mk('hosted', 'processors', 5);
    await mk('ollama', 'clients', 5);
    await registry.stop();
    const at = (e: string) => trace.indexOf(e);
    // Concurrent within processors: both began before either ended.
    expect(Math.max(at('begin local'), at('begin hosted'))).toBeLessThan(Math.min(at('end local'), at('end hosted')));
    // Strictly ordered steps: nothing of a later step begins before every provider of the earlier one ended.
    expect(at('begin ollama')).toBeGreaterThan(Math.max(at('end local'), at('end hosted')));
    expect(at('begin npcs')).toBeGreaterThan(at('end ollama'));
    expect(at('begin chroma')).toBeGreaterThan(at('end npcs'));
  });

  it('health gathers every report and marks a throwing check unhealthy', async () => {
    const { registry } = setup();
    await registry.register(new ScriptedProvider('a'));
    const bad = await registry.register(new ScriptedProvider('b'));
    bad.healthCheck = () => Promise.reject(new Error('probe failed'));
    const health = await registry.health();
    expect(health.find((h) => h.id === 'a')).toMatchObject({ status: 'healthy', resources: { open: true } });
    expect(health.find((h) => h.id === 'b')).toMatchObject({ status: 'unhealthy', lastError: 'probe failed' });
  });
});
