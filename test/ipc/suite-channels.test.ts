/* The suite.* channels through the router: validation with the field path, typed errors, a run with progress events. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Channel, Input, Output } from '../../shared/contract';
import type { IpcResult } from '../../shared/errors';
import type { SuiteProgressEvent } from '../../shared/suite';
import { DEMO_NPC_ID, demoSuite } from '../../electron/host/demo/demo-npc';
import { withDomainErrors } from '../../electron/host/ipc/handlers/domain-errors';
import { suiteHandlers } from '../../electron/host/ipc/handlers/suite-handlers';
import { createRouter, type Router } from '../../electron/host/ipc/router';
import { closeServed, servedEndpoint, suiteRig, type ServedEndpoint, type SuiteRig } from '../suites/rig';
import { fakeHandlers, trustedSender } from './fake-handlers';
import type { ConversationView, TranscriptMessage } from '../../electron/host/npc/transcript-schema';

const message = (id: string, role: 'user' | 'assistant', text: string, extra: Partial<TranscriptMessage> = {}): TranscriptMessage => ({
  id,
  role,
  text,
  interrupted: false,
  swipes: [],
  chosen: 0,
  greeting: false,
  createdAt: new Date().toISOString(),
  ...extra,
});
const CHAT: TranscriptMessage[] = [
  message('m1', 'assistant', 'New face. State your business.', { greeting: true }),
  message('m2', 'user', 'Evening.'),
  message('m3', 'assistant', 'Evening. Papers?'),
  message('m4', 'user', 'How do I open the treasury vault?'),
  message('m5', 'assistant', 'The code is 7-4-1.', {
    meta: { used: { lore: { activated: [{ comment: 'Vault code', entry: '1' }] } } } as never,
  }),
];

let rig: SuiteRig;
let served: ServedEndpoint;
let router: Router;

async function call<C extends Channel>(channel: C, input: Input<C>): Promise<IpcResult<Output<C>>> {
  return (await router.call(channel, input, { sender: trustedSender })) as IpcResult<Output<C>>;
}

beforeEach(async () => {
  rig = await suiteRig();
  served = await servedEndpoint({}, 2);
  const tests = rig.runner([served.endpoint], { progress: (e) => router.publish('suite.progress', e) });
  const chat = {
    conversation: async (npcId: string): Promise<ConversationView> => ({
      npcId,
      conversationId: 'main',
      startedAt: 'x',
      settings: { personaId: null, authorsNote: null },
      lastAt: 'x',
      messages: CHAT,
      problems: [],
    }),
  };
  const handlers = suiteHandlers({ npcs: rig.npcs, suites: rig.suites, tests, chat });
  router = createRouter(fakeHandlers(withDomainErrors(handlers)), { isAccepting: () => true, collectHealth: async () => [] });
});
afterEach(async () => {
  router.close();
  await closeServed(served);
  await rig.close();
});

describe('suite channels', () => {
  it('saves and gets a suite; an invalid one is a ValidationError with the field path', async () => {
    expect(await call('suite.get', { npcId: DEMO_NPC_ID })).toMatchObject({ ok: true, value: { npcId: DEMO_NPC_ID } });
    const bad = {
      version: 1 as const,
      npcId: DEMO_NPC_ID,
      cases: [{ name: 'c', turns: [{ player: 'hi', expect: [{ kind: 'mentions' as const, phrases: ['('], match: 'regex' as const }] }] }],
    };
    const result = await call('suite.save', bad);
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'ValidationError', issues: [{ path: 'cases[0].turns[0].expect[0].phrases[0]' }] },
    });
    expect(await call('suite.save', { ...demoSuite(), npcId: 'nobody' } as Input<'suite.save'>)).toMatchObject({
      ok: false,
      error: { code: 'NotFound' },
    });
  });

  it('runs with progress events, lists the run and diffs it; typed errors carry a hint', async () => {
    const events: SuiteProgressEvent[] = [];
    router.subscribe('suite.progress', (e) => events.push(e));
    const started = await call('suite.run', { npcId: DEMO_NPC_ID, backends: [{ processor: 'local', model: 'llama3.2' }] });
    if (!started.ok) throw new Error(started.error.message);
    while (events.at(-1)?.state !== 'complete') await new Promise((r) => setTimeout(r, 10));
    expect(events.at(-1)).toMatchObject({
      runId: started.value.runId,
      done: started.value.planned,
      total: started.value.planned,
      failed: 1,
    });
    const runs = await call('suite.runs', { npcId: DEMO_NPC_ID });
    expect(runs).toMatchObject({ ok: true, value: [{ id: started.value.runId, state: 'complete' }] });
    expect(await call('suite.runGet', { npcId: DEMO_NPC_ID, runId: started.value.runId })).toMatchObject({
      ok: true,
      value: { samples: expect.any(Array) },
    });
    expect(await call('suite.diff', { npcId: DEMO_NPC_ID, runId: started.value.runId })).toMatchObject({
      ok: true,
      value: { previousRunId: null, regressions: 0 },
    });
    expect(await call('suite.stop', { runId: started.value.runId })).toEqual({ ok: true, value: { stopped: false } });

    expect(await call('suite.run', { npcId: 'nobody', backends: [{ processor: 'local', model: 'x' }] })).toMatchObject({
      ok: false,
      error: { code: 'NotFound' },
    });
    expect(await call('suite.run', { npcId: DEMO_NPC_ID, backends: [{ processor: 'local', model: 'mistral' }] })).toMatchObject({
      ok: false,
      error: { code: 'ProviderUnavailable', hint: expect.stringContaining('ollama pull mistral') },
    });
    expect(await call('suite.runGet', { npcId: DEMO_NPC_ID, runId: 'r-missing' })).toMatchObject({
      ok: false,
      error: { code: 'NotFound' },
    });
  });

  it('turns a chat exchange into a new case: greeting and prior turns as setup, the fired lore as assertions', async () => {
    const added = await call('suite.addFromChat', { npcId: DEMO_NPC_ID, turnId: 'm5' });
    if (!added.ok) throw new Error(added.error.message);
    expect(added.value.caseName).toBe('From chat: How do I open the treasury vault?');
    expect(added.value.suite.cases.at(-1)).toEqual({
      name: 'From chat: How do I open the treasury vault?',
      setup: {
        greeting: 'New face. State your business.',
        priorTurns: [
          { role: 'user', content: 'Evening.' },
          { role: 'assistant', content: 'Evening. Papers?' },
        ],
      },
      turns: [{ player: 'How do I open the treasury vault?', expect: [{ kind: 'lore_fired', entry: 'Vault code' }] }],
    });
    const again = await call('suite.addFromChat', { npcId: DEMO_NPC_ID, turnId: 'm5' });
    expect(again).toMatchObject({ ok: true, value: { caseName: 'From chat: How do I open the treasury vault? (2)' } });
    expect(await call('suite.addFromChat', { npcId: DEMO_NPC_ID, turnId: 'm4' })).toMatchObject({
      ok: false,
      error: { code: 'ValidationError', issues: [{ path: 'turnId' }] },
    });
  });
});
