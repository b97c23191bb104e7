/*
 * chat.page and a conversation being started at the same moment (conversation.list starts the main one): the
 * page waits for the start, so its first page has the greeting instead of coming back empty.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { chatHandlers } from '../../electron/host/ipc/handlers/chat-handlers';
import { conversationHandlers } from '../../electron/host/ipc/handlers/conversation-handlers';
import type { StudioServices } from '../../electron/host/ipc/handlers/services';
import type { CallContext } from '../../electron/host/ipc/router';
import { contract } from '../../shared/contract';
import { miraDraft, startChatRig, type ChatRig } from './rig';

let rig: ChatRig | undefined;

afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('chat.page while conversation.list starts the main conversation', () => {
  it('waits for the start and returns the greeting, not an empty page', async () => {
    rig = await startChatRig();
    const npc = await rig.npcs.save(miraDraft());
    const s = { npcs: rig.npcs, transcripts: rig.transcripts, chat: rig.service, personas: null } as unknown as StudioServices;
    const handlers = { ...chatHandlers(s), ...conversationHandlers(s) };
    const ctx = {} as CallContext;

    // Hold the start once its journal is open, as a slow disk would: the page is asked for meanwhile.
    const transcripts = rig.transcripts;
    const start = transcripts.start.bind(transcripts);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let startCalled!: () => void;
    const startReached = new Promise<void>((r) => (startCalled = r));
    transcripts.start = async (...args) => {
      startCalled();
      await held;
      return start(...args);
    };

    const listed = handlers['conversation.list']({ npcId: npc.id }, ctx);
    await startReached;
    const paged = handlers['chat.page'](contract['chat.page'].input.parse({ npcId: npc.id }), ctx);
    // Let the page run as far as it can before the start goes on.
    await new Promise((r) => setTimeout(r, 50));
    release();

    const [list, page] = await Promise.all([listed, paged]);
    expect(list).toHaveLength(1);
    expect(page.turns.map((t) => t.text)).toEqual(['Welcome to my forge, Ada.']);
    // Only one start was written.
    const history = await handlers['chat.history']({ npcId: npc.id }, ctx);
    expect(history.turns).toHaveLength(1);
  });
});
