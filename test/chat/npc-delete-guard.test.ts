/*
 * While an NPC is being deleted (ChatService.deleteNpc, the guard npc-deletion.ts runs its steps in) nothing of it
 * starts: no turn, no impersonation, and no main conversation started by a reader (that would write a journal back
 * into the folder being removed). A deletion that fails lifts the guard, so the NPC chats again and the delete can be
 * tried again.
 */
import { readdir } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { NpcDeletingError } from '../../electron/host/npc/npc-errors';
import { miraDraft, startChatRig, type ChatRig } from './rig';

let rig: ChatRig | undefined;

afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function transcriptFolders(r: ChatRig): Promise<string[]> {
  return readdir(r.transcripts.dir);
}

describe('while an NPC is being deleted', () => {
  it('nothing of it starts, a reader does not start its main conversation, and a failed deletion lifts the guard', async () => {
    rig = await startChatRig();
    const r = rig;
    const npc = await r.npcs.save(miraDraft());
    const other = await r.npcs.save(miraDraft({ card: { ...miraDraft().card, name: 'Oskar' } }));

    const attempts = await r.service.deleteNpc(npc.id, async () => {
      const tries = await Promise.all([
        r.service.send(npc.id, 'Hello?').catch((err: unknown) => err),
        r.service.impersonate(npc.id).catch((err: unknown) => err),
        r.service.conversation(npc.id).catch((err: unknown) => err),
      ]);
      // Another NPC is not held up.
      expect((await r.service.conversation(other.id)).messages).toHaveLength(1);
      expect(await transcriptFolders(r)).toEqual([other.id]);
      return tries;
    });
    for (const attempt of attempts) {
      expect(attempt).toBeInstanceOf(NpcDeletingError);
      expect((attempt as Error).message).toBe(`Mira Vell (${npc.id}) is being deleted, so nothing new can start with it; pick another NPC`);
    }

    await expect(r.service.deleteNpc(npc.id, () => Promise.reject(new Error('Chroma is down')))).rejects.toThrow('Chroma is down');
    const turn = await r.service.send(npc.id, 'Still there?');
    expect((await turn.finished).interrupted).toBe(false);
    expect((await transcriptFolders(r)).sort()).toEqual([npc.id, other.id].sort());
  });
});
