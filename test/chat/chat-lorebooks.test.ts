import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PromptUsed } from '../../shared/chat';
import { replyLoreTraceSchema } from '../../shared/lorebook-trace';
import { setAttachments } from '../../electron/host/lore/lorebook-attachments';
import { miraDraft, startChatRig, type ChatRig } from './rig';

/** Standalone lorebooks in a chat turn: attached to NPCs, linked by extensions.world, traced per reply, timed per conversation. */

const HARBOR_WORLD = JSON.stringify({
  entries: {
    '0': { uid: 0, key: ['pier 9'], content: 'World: smugglers land at pier 9 after dark.', comment: 'pier', order: 100, position: 1 },
    '1': {
      uid: 1,
      key: ['storm'],
      content: 'World: the storm bell is rung by hand.',
      comment: 'storm bell',
      sticky: 3,
      scanDepth: 1,
      order: 90,
    },
    '2': { uid: 2, key: ['never-said'], content: 'World: unused.', comment: 'quiet' },
  },
});

let rig: ChatRig;
beforeAll(async () => {
  rig = await startChatRig();
});
afterAll(async () => {
  await rig.close();
});

/** The system prompt the Ollama test server received last. */
function lastSystemPrompt(): string {
  const body = rig.server.requests.filter((r) => r.path === '/api/chat').at(-1)!.body as { messages: { role: string; content: string }[] };
  return body.messages.find((m) => m.role === 'system')!.content;
}

async function lastReplyUsed(npcId: string): Promise<PromptUsed> {
  const reply = (await rig.transcripts.view(rig.service.refOf(npcId))).messages.at(-1)!;
  return (reply.meta as { used: PromptUsed }).used;
}

describe('lorebooks in chat', () => {
  it('a world book attached to two NPCs fires for both, and each reply keeps the trace naming the book', async () => {
    const world = await rig.lorebooks.import('Harbor World.json', HARBOR_WORLD);
    const mira = await rig.npcs.save(miraDraft());
    const tomas = await rig.npcs.save(miraDraft({ card: { name: 'Tomas Reed', description: 'A fisherman.' } }));
    await setAttachments(world.id, [mira.id, tomas.id], rig.npcs);

    for (const npc of [mira, tomas]) {
      const outcome = await (await rig.service.send(npc.id, 'What happens at pier 9?')).finished;
      expect(outcome.error).toBeUndefined();
      expect(lastSystemPrompt()).toContain('World: smugglers land at pier 9 after dark.');
      const trace = replyLoreTraceSchema.parse((await lastReplyUsed(npc.id)).lore);
      expect(trace.activated.map((a) => [a.book, a.comment, a.trace.reason, a.trace.key, a.position])).toEqual([
        [world.id, 'pier', 'key', 'pier 9', 'after_char'],
      ]);
      expect(trace.activated[0]!.trace.matchedIn).toMatchObject({
        kind: 'message',
        role: 'user',
        excerpt: expect.stringContaining('pier 9'),
      });
      expect(trace.books.find((b) => b.id === world.id)).toEqual({ id: world.id, name: 'Harbor World', how: 'attached' });
    }
  });

  it("links the lorebook a card's extensions.world names, without attaching it", async () => {
    const npc = await rig.npcs.save(miraDraft({ card: { name: 'Linked Lia', extensions: { world: 'Harbor World' } } }));
    await (
      await rig.service.send(npc.id, 'pier 9, tonight')
    ).finished;
    const trace = (await lastReplyUsed(npc.id)).lore!;
    expect(trace.books.map((b) => [b.name, b.how])).toContainEqual(['Harbor World', 'linked']);
    expect(trace.activated.map((a) => a.comment)).toContain('pier');
  });

  it('keeps sticky state per conversation; a regenerate starts from the state before the reply it replaces', async () => {
    const world = rig.lorebooks.findByName('Harbor World')!;
    const npc = await rig.npcs.save(
      miraDraft({ card: { name: 'Sticky Sam' }, studio: { processor: 'local', model: 'llama3.2', sampling: {}, lorebooks: [world.id] } }),
    );
    const fired = async () => (await lastReplyUsed(npc.id)).lore!.activated.map((a) => [a.comment, a.trace.reason]);

    await (
      await rig.service.send(npc.id, 'A storm is coming.')
    ).finished;
    expect(await fired()).toEqual([['storm bell', 'key']]);
    // The key is out of the scanned window (the latest message), but sticky 3 keeps the entry in for 3 messages.
    await (
      await rig.service.send(npc.id, 'Anything else?')
    ).finished;
    expect(await fired()).toEqual([['storm bell', 'sticky']]);

    // Regenerating that reply uses the state from before it: still sticky, not counted twice.
    const last = (await rig.transcripts.view(rig.service.refOf(npc.id))).messages.at(-1)!;
    await (
      await rig.service.regenerate(npc.id, last.id)
    ).finished;
    expect(await fired()).toEqual([['storm bell', 'sticky']]);

    // Sticky ran out: the entry is left out (its key is no longer in the scanned messages).
    await (
      await rig.service.send(npc.id, 'Quiet now.')
    ).finished;
    expect(await fired()).toEqual([]);
  });
});
