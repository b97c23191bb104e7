/*
 * Impersonate on a slow model can be stopped like a reply: chat.stopImpersonate aborts the backend request, the
 * impersonation answers `stopped: true` (a value, not an error) with what was drafted so far, and nothing is saved.
 * Through the channel handlers on the real stores, chat service and the Ollama-protocol test server.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chatHandlers } from '../../electron/host/ipc/handlers/chat-handlers';
import type { StudioServices } from '../../electron/host/ipc/handlers/services';
import { contract, type Channel, type Input, type Output } from '../../shared/contract';
import { miraDraft, startChatRig, type ChatRig } from './rig';

let rig: ChatRig | undefined;

afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function setUp() {
  rig = await startChatRig({ switches: { tokenDelayMs: 25, replyTokens: 400 } });
  const npc = await rig.npcs.save(miraDraft());
  const handlers = chatHandlers({ npcs: rig.npcs, transcripts: rig.transcripts, chat: rig.service } as unknown as StudioServices);
  /** Calls a channel as the router does: the input parsed by the contract first. */
  const call = async <C extends keyof typeof handlers & Channel>(channel: C, input: Input<C>): Promise<Output<C>> => {
    const parsed = contract[channel].input.parse(input) as never;
    return (handlers[channel] as unknown as (i: never) => Promise<Output<C>>)(parsed);
  };
  return { npc, call, rig };
}

/** Resolves once the test server has sent `count` chunks of the chat reply now streaming. */
async function chatRequestStreaming(r: ChatRig): Promise<void> {
  while (!r.server.requests.some((q) => q.path === '/api/chat')) await new Promise((res) => setTimeout(res, 5));
  await new Promise((res) => setTimeout(res, 150));
}

describe('stopping an impersonation', () => {
  it('aborts the backend request, answers stopped with the text so far, and saves nothing', async () => {
    const { npc, call, rig } = await setUp();
    const before = await rig.service.conversation(npc.id);
    expect(before.messages).toHaveLength(1);
    expect(await call('chat.stopImpersonate', { npcId: npc.id })).toEqual({ stopped: false });

    const closed = rig.server.connections.nextClose();
    const drafting = call('chat.impersonate', { npcId: npc.id });
    await chatRequestStreaming(rig);
    const stoppedAt = performance.now();
    expect(await call('chat.stopImpersonate', { npcId: npc.id })).toEqual({ stopped: true });
    expect((await closed).closedAt! - stoppedAt).toBeLessThan(100);

    const result = await drafting;
    expect(result.stopped).toBe(true);
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.text.split(/\s+/).length).toBeLessThan(400);
    expect(rig.client.inFlightStreams).toBe(0);
    expect(await call('chat.stopImpersonate', { npcId: npc.id })).toEqual({ stopped: false });

    const after = await rig.transcripts.view(rig.service.refOf(npc.id));
    expect(after.messages).toEqual(before.messages);
    expect(await readdir(join(rig.dir, 'transcripts', npc.id))).not.toContain('main.drafts.jsonl');

    // The conversation is free again: the next impersonation runs to its end.
    rig.server.set({ tokenDelayMs: 0, replyTokens: 5 });
    expect(await call('chat.impersonate', { npcId: npc.id })).toMatchObject({ stopped: false, text: expect.any(String) });
  });

  it('stops only its own conversation, and a second one for the same conversation is refused as Busy', async () => {
    const { npc, call, rig } = await setUp();
    const other = await rig.service.createConversation(npc.id, { title: 'At the docks' });
    const drafting = call('chat.impersonate', { npcId: npc.id });
    await chatRequestStreaming(rig);
    await expect(call('chat.impersonate', { npcId: npc.id })).rejects.toMatchObject({ code: 'Busy' });
    expect(await call('chat.stopImpersonate', { npcId: npc.id, conversationId: other.conversationId })).toEqual({ stopped: false });
    expect(await call('chat.stopImpersonate', { npcId: npc.id })).toEqual({ stopped: true });
    expect(await drafting).toMatchObject({ stopped: true });
  });

  it('a shutdown drain still cuts it with an abort (ShuttingDown at the router), not as stopped', async () => {
    const { npc, rig } = await setUp();
    const drafting = rig.service.impersonate(npc.id);
    await chatRequestStreaming(rig);
    rig.engine.stopAccepting();
    const drained = await rig.engine.drain(20);
    expect(drained).toMatchObject({ aborted: 1 });
    await expect(drafting).rejects.toMatchObject({ name: 'AbortError' });
    expect(rig.service.stopImpersonate(npc.id)).toBe(false);
  });
});
