/*
 * Chat events name the conversation they stream into, so a view of one conversation can tell its replies from
 * those of the NPC's other conversations.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MAIN_CONVERSATION } from '../../shared/conversations';
import { miraDraft, startChatRig, type ChatRig } from './rig';

let rig: ChatRig | undefined;

afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('chat events', () => {
  it('carry the conversation of the turn: token and done of a reply in each conversation, error of a failed one', async () => {
    rig = await startChatRig({ switches: { replyTokens: 3 } });
    const npc = await rig.npcs.save(miraDraft());
    const other = await rig.service.createConversation(npc.id, { title: 'At the docks' });

    const inOther = await rig.service.send(npc.id, 'Hello at the docks', other.conversationId);
    await inOther.finished;
    const inMain = await rig.service.send(npc.id, 'Hello at the forge');
    await inMain.finished;
    rig.server.set({ failNext: { status: 500, count: 1, path: '/api/chat', message: 'model crashed' } });
    const failed = await rig.service.send(npc.id, 'Once more', other.conversationId);
    await failed.finished;

    const eventsOf = (turnId: string) => rig!.events.all.filter((x) => x.e.turnId === turnId);
    const conversationsOf = (turnId: string) => new Set(eventsOf(turnId).map((x) => x.e.conversationId));
    const kindsOf = (turnId: string) => new Set(eventsOf(turnId).map((x) => x.kind));
    expect(kindsOf(inOther.turnId)).toEqual(new Set(['token', 'done']));
    expect(conversationsOf(inOther.turnId)).toEqual(new Set([other.conversationId]));
    expect(kindsOf(inMain.turnId)).toEqual(new Set(['token', 'done']));
    expect(conversationsOf(inMain.turnId)).toEqual(new Set([MAIN_CONVERSATION]));
    expect(kindsOf(failed.turnId)).toEqual(new Set(['error']));
    expect(conversationsOf(failed.turnId)).toEqual(new Set([other.conversationId]));
  });
});
