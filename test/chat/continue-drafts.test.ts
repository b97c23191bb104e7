/*
 * A continue is journaled while it streams, like a reply: a host killed mid-continue leaves drafts that the next open
 * appends to the reply it continued, marked interrupted, the original text intact. The kill is simulated by copying
 * the transcripts folder while the continuation streams (what the disk holds at that instant) and opening the copy.
 */
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TranscriptStore } from '../../electron/host/npc/transcript-store';
import { miraDraft, startChatRig, type ChatRig } from './rig';

let rig: ChatRig | undefined;
let reader: TranscriptStore | undefined;

afterEach(async () => {
  await reader?.cleanup();
  await rig?.close();
  rig = reader = undefined;
});

describe('a continue killed while it streams', () => {
  it('is recovered as the continued reply: original text, then the continuation journaled so far, interrupted', async () => {
    rig = await startChatRig();
    const npc = await rig.npcs.save(miraDraft());
    const sent = await rig.service.send(npc.id, 'Tell me about the guild.');
    const original = await sent.finished;
    expect(original.interrupted).toBe(false);

    rig.server.set({ tokenDelayMs: 25, replyTokens: 400 });
    const cont = await rig.service.continueReply(npc.id, original.messageId);
    await rig.events.untilTokens(cont.turnId, 3);
    await new Promise((r) => setTimeout(r, 400)); // past a draft write (every 250 ms)
    const killedAt = join(rig.dir, 'killed');
    await cp(rig.transcripts.dir, killedAt, { recursive: true });
    const streamed = rig.events.tokens(cont.turnId).join('');
    rig.service.stop(cont.turnId);
    await cont.finished;

    reader = new TranscriptStore({ dir: killedAt, logger: rig.logs.logger });
    await reader.initialize();
    const view = await reader.view(rig.service.refOf(npc.id));
    const reply = view.messages.at(-1)!;
    expect(view.messages).toHaveLength(3);
    expect(reply).toMatchObject({ id: original.messageId, role: 'assistant', interrupted: true });
    expect(reply.swipes).toHaveLength(1);
    expect(reply.text.startsWith(original.text)).toBe(true);
    const continuation = reply.text.slice(original.text.length);
    expect(continuation.length).toBeGreaterThan(0);
    expect(streamed.startsWith(continuation)).toBe(true);
    expect(view.problems).toEqual([]);
  });
});

describe('a continue stopped with Stop', () => {
  it('is saved like a stopped reply: the continuation appended, marked interrupted, in the transcript and in chat.done', async () => {
    rig = await startChatRig();
    const npc = await rig.npcs.save(miraDraft());
    const original = await (await rig.service.send(npc.id, 'Tell me about the guild.')).finished;

    rig.server.set({ tokenDelayMs: 25, replyTokens: 400 });
    const cont = await rig.service.continueReply(npc.id, original.messageId);
    await rig.events.untilTokens(cont.turnId, 3);
    expect(rig.service.stop(cont.turnId)).toBe(true);
    const outcome = await cont.finished;
    const streamed = rig.events.tokens(cont.turnId).join('');

    expect(outcome).toMatchObject({ messageId: original.messageId, interrupted: true });
    expect(rig.events.ends(cont.turnId)).toMatchObject([{ kind: 'done', e: { messageId: original.messageId, interrupted: true } }]);
    const check = (view: Awaited<ReturnType<TranscriptStore['view']>>) => {
      expect(view.messages).toHaveLength(3);
      expect(view.messages.at(-1)).toMatchObject({ id: original.messageId, interrupted: true, text: original.text + streamed });
    };
    check(await rig.transcripts.view(rig.service.refOf(npc.id)));
    // And on disk: a store opening the journal afresh reads the mark too.
    reader = new TranscriptStore({ dir: rig.transcripts.dir, logger: rig.logs.logger });
    await reader.initialize();
    check(await reader.view(rig.service.refOf(npc.id)));
  });
});
