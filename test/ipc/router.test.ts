import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRouter, type Router } from '../../electron/host/ipc/router';
import { HostError } from '../../electron/host/ipc/host-error';
import type { HealthSnapshot } from '../../shared/health';
import type { Npc } from '../../shared/npc';
import { fakeHandlers, trustedSender } from './fake-handlers';

const ctx = { sender: trustedSender };
const snapshot = (n: number): HealthSnapshot => [
  {
    id: 'ollama-local',
    kind: 'ollama',
    phase: 'clients',
    status: 'healthy',
    resources: { openSockets: n },
    checkedAt: new Date(0).toISOString(),
  },
];
const routers: Router[] = [];

function router(handlers = fakeHandlers(), accepting = () => true, collectHealth = async () => snapshot(0)): Router {
  const r = createRouter(handlers, { isAccepting: accepting, collectHealth });
  routers.push(r);
  return r;
}

afterEach(() => {
  for (const r of routers.splice(0)) r.close();
  vi.useRealTimers();
});

const npc: Npc = {
  version: 1,
  id: 'mira',
  card: {
    name: 'Mira',
    description: '',
    personality: '',
    scenario: '',
    first_mes: '',
    mes_example: '',
    creator_notes: '',
    system_prompt: '',
    post_history_instructions: '',
    alternate_greetings: [],
    tags: [],
    creator: '',
    character_version: '',
    extensions: {},
  },
  studio: { processor: 'local', model: 'llama3.2', sampling: {} },
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
};

describe('router calls', () => {
  it('passes parsed input (defaults filled) to the handler and returns its value', async () => {
    const seen: unknown[] = [];
    const r = router(fakeHandlers({ 'logs.tail': async (input) => (seen.push(input), []), 'npc.get': async ({ id }) => ({ ...npc, id }) }));
    expect(await r.call('logs.tail', {}, ctx)).toEqual({ ok: true, value: [] });
    expect(seen).toEqual([{ limit: 200, level: 'info' }]);
    const got = await r.call('npc.get', { id: 'abc-1' }, ctx);
    expect(got.ok && (got.value as Npc).id).toBe('abc-1');
  });

  it('refuses bad input with ValidationError naming each field path, without calling the handler', async () => {
    const save = vi.fn(async () => npc);
    const r = router(fakeHandlers({ 'npc.save': save }));
    const result = await r.call(
      'npc.save',
      { card: { name: '' }, studio: { processor: 'cloud', model: 'x', sampling: { temperature: 9 } } },
      ctx,
    );
    expect(result.ok).toBe(false);
    if (result.ok || result.error.code !== 'ValidationError') throw new Error('expected ValidationError');
    const paths = result.error.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['card.name', 'studio.processor', 'studio.sampling.temperature']));
    expect(result.error.message).toMatch(/^Invalid input for npc\.save: /);
    expect(save).not.toHaveBeenCalled();
  });

  it('rejects unknown keys (strict objects), bad ids and oversized text', async () => {
    const r = router();
    const extra = await r.call('chat.history', { npcId: 'mira', admin: true }, ctx);
    expect(!extra.ok && extra.error.code === 'ValidationError' && extra.error.issues[0]!.message).toMatch(/admin/);
    const badId = await r.call('npc.get', { id: '../etc/passwd' }, ctx);
    expect(!badId.ok && badId.error.code === 'ValidationError' && badId.error.issues[0]!.path).toBe('id');
    const long = await r.call('chat.send', { npcId: 'mira', text: 'x'.repeat(20_001) }, ctx);
    expect(!long.ok && long.error.code === 'ValidationError' && long.error.issues[0]!.path).toBe('text');
  });

  it('answers an unknown channel with ValidationError on "channel"', async () => {
    const result = await router().call('fs.readFile', {}, ctx);
    expect(result).toMatchObject({ ok: false, error: { code: 'ValidationError', issues: [{ path: 'channel' }] } });
  });

  it('refuses untrusted senders and sub-frames before parsing', async () => {
    const list = vi.fn(async () => []);
    const r = router(fakeHandlers({ 'npc.list': list }));
    const foreign = await r.call('npc.list', {}, { sender: { ...trustedSender, origin: 'https://evil.example', trusted: false } });
    const subframe = await r.call('npc.list', {}, { sender: { ...trustedSender, topFrame: false } });
    expect(foreign).toMatchObject({ ok: false, error: { code: 'Forbidden' } });
    expect(subframe).toMatchObject({ ok: false, error: { code: 'Forbidden' } });
    expect(list).not.toHaveBeenCalled();
  });

  it('answers ShuttingDown once the host stops accepting', async () => {
    let accepting = true;
    const list = vi.fn(async () => []);
    const r = router(fakeHandlers({ 'npc.list': list }), () => accepting);
    expect((await r.call('npc.list', {}, ctx)).ok).toBe(true);
    accepting = false;
    expect(await r.call('npc.list', {}, ctx)).toMatchObject({ ok: false, error: { code: 'ShuttingDown' } });
    expect(list).toHaveBeenCalledTimes(1);
  });

  it('maps thrown errors: code and hint kept, zod errors become ValidationError, anything else Internal', async () => {
    const { z } = await import('zod');
    const r = router(
      fakeHandlers({
        'chat.send': async () => {
          throw HostError.providerUnavailable(
            'Ollama is not reachable at http://127.0.0.1:11434',
            'Start it with `ollama serve`',
            'ollama-local',
          );
        },
        'npc.get': async () => {
          throw HostError.notFound('NPC nobody');
        },
        'npc.importCard': async () => z.strictObject({ spec: z.literal('chara_card_v2') }).parse({ spec: 'v1' }) as never,
        'npc.list': async () => {
          throw new TypeError('boom');
        },
        'usage.summary': async () => {
          throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
        },
        'app.info': () => Promise.reject('plain string'),
      }),
    );
    expect(await r.call('chat.send', { npcId: 'm', text: 'hi' }, ctx)).toEqual({
      ok: false,
      error: {
        code: 'ProviderUnavailable',
        message: 'Ollama is not reachable at http://127.0.0.1:11434',
        hint: 'Start it with `ollama serve`',
        providerId: 'ollama-local',
      },
    });
    expect(await r.call('npc.get', { id: 'nobody' }, ctx)).toEqual({
      ok: false,
      error: { code: 'NotFound', message: 'NPC nobody not found' },
    });
    expect(await r.call('npc.importCard', { format: 'json', text: '{}' }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'ValidationError', issues: [{ path: 'spec' }] },
    });
    expect(await r.call('npc.list', {}, ctx)).toEqual({ ok: false, error: { code: 'Internal', message: 'boom' } });
    expect(await r.call('usage.summary', {}, ctx)).toEqual({ ok: false, error: { code: 'Internal', message: 'disk full' } });
    expect(await r.call('app.info', {}, ctx)).toEqual({ ok: false, error: { code: 'Internal', message: 'plain string' } });
  });
});

describe('router events', () => {
  it('delivers published events to subscribers until they unsubscribe; a throwing listener does not stop others', async () => {
    const r = router();
    const got: string[] = [];
    const off = r.subscribe('chat.token', (p) => got.push(p.text));
    r.subscribe('chat.token', () => {
      throw new Error('listener bug');
    });
    r.publish('chat.token', { turnId: 't1', npcId: 'm', conversationId: 'main', text: 'Hel' });
    r.publish('chat.token', { turnId: 't1', npcId: 'm', conversationId: 'main', text: 'lo' });
    off();
    off();
    r.publish('chat.token', { turnId: 't1', npcId: 'm', conversationId: 'main', text: '!' });
    expect(got).toEqual(['Hel', 'lo']);
    expect(r.subscriberCount('chat.token')).toBe(1);
  });

  it('pushes health at 1 Hz only while someone subscribes', async () => {
    vi.useFakeTimers();
    let n = 0;
    const r = router(
      fakeHandlers(),
      () => true,
      async () => snapshot(++n),
    );
    expect(vi.getTimerCount()).toBe(0);
    const seen: number[] = [];
    const off = r.subscribe('health', (s) => seen.push(s[0]!.resources.openSockets as number));
    await vi.advanceTimersByTimeAsync(3000);
    expect(seen).toEqual([1, 2, 3, 4]);
    off();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(3000);
    expect(seen).toHaveLength(4);
    expect(n).toBe(4);
  });

  it('never overlaps a slow collection and stops on close', async () => {
    vi.useFakeTimers();
    let active = 0;
    let maxActive = 0;
    let calls = 0;
    const r = router(
      fakeHandlers(),
      () => true,
      async () => {
        calls++;
        maxActive = Math.max(maxActive, ++active);
        await new Promise((resolve) => setTimeout(resolve, 2500));
        active--;
        return snapshot(calls);
      },
    );
    r.subscribe('health', () => undefined);
    await vi.advanceTimersByTimeAsync(6000);
    expect(maxActive).toBe(1);
    expect(calls).toBeLessThan(6);
    r.close();
    await vi.advanceTimersByTimeAsync(3000);
    expect(vi.getTimerCount()).toBe(0);
    expect(r.subscriberCount('health')).toBe(0);
    expect(await r.call('npc.list', {}, ctx)).toMatchObject({ ok: false, error: { code: 'ShuttingDown' } });
  });

  it("keeps its timer unref'd: it never holds the process open", async () => {
    const r = router();
    const before = process.getActiveResourcesInfo().filter((x) => x === 'Timeout').length;
    r.subscribe('health', () => undefined);
    expect(process.getActiveResourcesInfo().filter((x) => x === 'Timeout').length).toBe(before);
    r.close();
  });
});
