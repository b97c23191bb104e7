/*
 * Deleting a conversation while a reply streams into it: the reply stops and settles, the conversation is gone for
 * good (no file comes back, on reopen or after a restart), the NPC's other conversations go on, and nothing rejects
 * unhandled (the exit hooks would take that for a crash and shut the studio down).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chatHandlers } from '../../electron/host/ipc/handlers/chat-handlers';
import { conversationHandlers } from '../../electron/host/ipc/handlers/conversation-handlers';
import type { StudioServices } from '../../electron/host/ipc/handlers/services';
import { TranscriptStore } from '../../electron/host/npc/transcript-store';
import { contract, type Channel, type Input, type Output } from '../../shared/contract';
import { miraDraft, startChatRig, type ChatRig } from './rig';

let rig: ChatRig | undefined;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

afterEach(async () => {
  process.off('unhandledRejection', onUnhandled);
  await rig?.close();
  rig = undefined;
  unhandled.length = 0;
});

async function setUp() {
  process.on('unhandledRejection', onUnhandled);
  // Slow enough that the reply is still streaming (and its drafts journaled) when the delete arrives.
  rig = await startChatRig({ switches: { tokenDelayMs: 30, replyTokens: 400 } });
  const npc = await rig.npcs.save(miraDraft());
  const s = { npcs: rig.npcs, transcripts: rig.transcripts, chat: rig.service } as unknown as StudioServices;
  const handlers = { ...chatHandlers(s), ...conversationHandlers(s) };
  const call = async <C extends keyof typeof handlers & Channel>(channel: C, input: Input<C>): Promise<Output<C>> => {
    const parsed = contract[channel].input.parse(input) as never;
    return (handlers[channel] as unknown as (i: never) => Promise<Output<C>>)(parsed);
  };
  return { npc, call, r: rig };
}

async function filesOf(r: ChatRig, npcId: string): Promise<string[]> {
  return (await readdir(join(r.transcripts.dir, npcId))).filter((f) => !f.startsWith('.')).sort();
}

async function settle(ms = 400): Promise<void> {
  await new Promise((res) => setTimeout(res, ms));
}

describe('deleting a conversation while a reply streams into it', () => {
  it('stops the reply, ends the turn cleanly and deletes the conversation for good', async () => {
    const { npc, call, r } = await setUp();
    const doomed = await call('conversation.create', { npcId: npc.id, title: 'Doomed' });
    const sent = await call('chat.send', { npcId: npc.id, conversationId: doomed.conversationId, text: 'Tell me a long story.' });
    await r.events.untilTokens(sent.turnId, 3);
    // Long enough for a draft to be journaled (every 250 ms), so there is a drafts file to clean up too.
    await settle(300);
    expect(await filesOf(r, npc.id)).toEqual([`${doomed.conversationId}.drafts.jsonl`, `${doomed.conversationId}.jsonl`]);
    const closed = r.server.connections.nextClose();

    const deleting = call('conversation.delete', { npcId: npc.id, conversationId: doomed.conversationId });
    // While it is being deleted, nothing new starts in it.
    await expect(call('chat.send', { npcId: npc.id, conversationId: doomed.conversationId, text: 'Wait!' })).rejects.toThrow(
      /no conversation .* it may have been deleted/,
    );
    expect(await deleting).toEqual({ deleted: true });
    const tokensAtDelete = r.events.tokens(sent.turnId).length;
    await closed; // the request upstream was cancelled, not left to stream on
    await settle(); // time for anything still running to write, reject or report

    expect(r.events.tokens(sent.turnId)).toHaveLength(tokensAtDelete);
    expect(r.service.inProgress(npc.id, doomed.conversationId)).toEqual([]);
    // The turn ends once, cleanly, saying why: the view showing it stops streaming and has nothing to reload.
    expect(r.events.ends(sent.turnId)).toEqual([
      {
        kind: 'done',
        e: {
          turnId: sent.turnId,
          npcId: npc.id,
          conversationId: doomed.conversationId,
          alternative: 0,
          interrupted: true,
          conversationDeleted: true,
        },
      },
    ]);
    expect(r.events.all.filter((x) => x.kind === 'error')).toEqual([]);
    expect(unhandled).toEqual([]);
    expect(await filesOf(r, npc.id)).toEqual([]);
    expect((await call('conversation.list', { npcId: npc.id })).map((c) => c.conversationId)).toEqual(['main']);
    await expect(call('chat.history', { npcId: npc.id, conversationId: doomed.conversationId })).rejects.toThrow(/no conversation/);

    // After a restart (a second store on the same folder) nothing of it comes back either.
    const reader = new TranscriptStore({ dir: r.transcripts.dir, logger: r.logs.logger });
    await reader.initialize();
    expect((await reader.listConversations(npc.id)).map((c) => c.conversationId)).toEqual(['main']);
    await reader.cleanup();

    // The NPC can chat again at once, in another conversation.
    const next = await call('chat.send', { npcId: npc.id, text: 'Still there?' });
    r.service.stop(next.turnId);
    await settle(50);
    expect(unhandled).toEqual([]);
  });

  it("leaves the NPC's other conversations alone: a reply streaming in another one goes on and is saved", async () => {
    const { npc, call, r } = await setUp();
    r.server.set({ tokenDelayMs: 5, replyTokens: 60 });
    const idle = await call('conversation.create', { npcId: npc.id, title: 'Idle' });
    const sent = await call('chat.send', { npcId: npc.id, text: 'Tell me about the guild.' });
    await r.events.untilTokens(sent.turnId, 3);

    expect(await call('conversation.delete', { npcId: npc.id, conversationId: idle.conversationId })).toEqual({ deleted: true });
    while (!r.events.ends(sent.turnId).length) await settle(5);

    const [end] = r.events.ends(sent.turnId);
    expect(end).toMatchObject({ kind: 'done', e: { conversationId: 'main', interrupted: false, messageId: 'm3' } });
    expect(end!.e).not.toHaveProperty('conversationDeleted');
    const history = await call('chat.history', { npcId: npc.id });
    expect(history.turns.map((t) => [t.id, t.role, t.status])).toEqual([
      ['m1', 'assistant', 'complete'],
      ['m2', 'user', 'complete'],
      ['m3', 'assistant', 'complete'],
    ]);
    expect(history.turns[2]!.text).toBe(r.events.tokens(sent.turnId).join(''));
    expect(await filesOf(r, npc.id)).toEqual(['main.jsonl']);
    expect(r.events.all.filter((x) => x.kind === 'error')).toEqual([]);
    expect(unhandled).toEqual([]);
  });

  it('a reader arriving while the conversation is deleted does not open it again (which would bring it back)', async () => {
    const { npc, r } = await setUp();
    const store = r.transcripts;
    for (let round = 0; round < 5; round++) {
      const view = await store.start(npc.id, { greetings: ['Hello.'] });
      const ref = { npcId: npc.id, conversationId: view.conversationId };
      let deleted = false;
      const deletion = store.deleteConversation(ref).finally(() => (deleted = true));
      const reads: Promise<unknown>[] = [];
      // One read per microtask for as long as the deletion runs: some land after its journal is closed.
      while (!deleted && reads.length < 200) {
        reads.push(store.view(ref).catch((err: unknown) => err));
        await Promise.resolve();
      }
      expect(await deletion).toBe(true);
      const answers = await Promise.all(reads);
      expect(await store.exists(ref)).toBe(false);
      expect(await filesOf(r, npc.id)).toEqual([]);
      expect(answers.some((a) => a instanceof Error && /being deleted/.test(a.message))).toBe(true);
    }
    expect(await filesOf(r, npc.id)).toEqual([]);
    expect(unhandled).toEqual([]);
  });
});
