/*
 * A branch (and a duplicate) copies the messages it shares whole: text, alternatives, which one is chosen, what each
 * reply kept, and when a message (or an alternative that is no longer chosen) was edited.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { conversationHandlers } from '../../electron/host/ipc/handlers/conversation-handlers';
import type { StudioServices } from '../../electron/host/ipc/handlers/services';
import { memoryLogger } from '../../electron/host/log/logger';
import { TranscriptStore } from '../../electron/host/npc/transcript-store';
import { contract, type Input, type Output } from '../../shared/contract';
import { miraDraft, startChatRig, type ChatRig } from './rig';

let rig: ChatRig | undefined;
let reader: TranscriptStore | undefined;

afterEach(async () => {
  await reader?.cleanup();
  await rig?.close();
  rig = reader = undefined;
});

describe('branching a conversation with edited messages', () => {
  it('keeps every field of every copied message, editedAt included, also after a restart', async () => {
    rig = await startChatRig();
    const r = rig;
    const npc = await r.npcs.save(miraDraft());
    const ref = r.service.refOf(npc.id);
    expect((await (await r.service.send(npc.id, 'Tell me about the guild.')).finished).error).toBeUndefined();
    // m2 (the designer's) edited; m3 edited, then regenerated: its edited alternative is no longer the chosen one.
    await r.transcripts.editMessage(ref, 'm2', 'Tell me about the guild, please.');
    await r.transcripts.editMessage(ref, 'm3', 'The guild? Ask me later.');
    expect((await (await r.service.regenerate(npc.id, 'm3')).finished).error).toBeUndefined();
    expect((await (await r.service.send(npc.id, 'And the dragon?')).finished).error).toBeUndefined();
    // m5 edited while chosen: the message itself says when.
    await r.transcripts.editMessage(ref, 'm5', 'No dragon here.');
    const source = (await r.transcripts.view(ref)).messages;
    expect(source.map((m) => [m.id, m.editedAt !== undefined, m.swipes.map((s) => s.editedAt !== undefined)])).toEqual([
      ['m1', false, [false, false]],
      ['m2', true, [true]],
      ['m3', false, [true, false]],
      ['m4', false, [false]],
      ['m5', true, [true]],
    ]);

    const s = { npcs: r.npcs, transcripts: r.transcripts, chat: r.service } as unknown as StudioServices;
    const handlers = conversationHandlers(s);
    /** Calls a channel as the router does: the input parsed by the contract first. */
    const call = async <C extends 'conversation.branch' | 'conversation.duplicate'>(channel: C, input: Input<C>): Promise<Output<C>> =>
      (handlers[channel] as unknown as (i: unknown) => Promise<Output<C>>)(contract[channel].input.parse(input));
    const branch = await call('conversation.branch', { npcId: npc.id, conversationId: 'main', messageId: 'm3' });
    const copy = await call('conversation.duplicate', { npcId: npc.id, conversationId: 'main' });

    reader = new TranscriptStore({ dir: r.transcripts.dir, logger: memoryLogger().logger });
    await reader.initialize();
    for (const store of [r.transcripts, reader]) {
      const branched = await store.view({ npcId: npc.id, conversationId: branch.conversationId });
      expect(branched.problems).toEqual([]);
      expect(branched.messages).toEqual(source.slice(0, 3));
      expect((await store.view({ npcId: npc.id, conversationId: copy.conversationId })).messages).toEqual(source);
    }
  });
});
