/*
 * A reply streaming when the host is killed (issue G item 4): its text so far is journaled as reply-draft
 * events; the next open recovers an unfinished draft as an interrupted reply (a new message, or a swipe of the
 * reply it regenerated) and writes that, so the mark stays. A draft its final save closed is not recovered.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../electron/host/log/logger';
import { ReplyDraft } from '../../electron/host/npc/reply-draft';
import { TranscriptStore } from '../../electron/host/npc/transcript-store';
import { DRAFT_RECOVERED_REASON } from '../../electron/host/npc/transcript-store-api';
import { tempDir } from '../support/temp-dir';

let dir: { path: string; remove: () => Promise<void> };
const ref = { npcId: 'mira-1a2b3c', conversationId: 'main' };
const stores: TranscriptStore[] = [];

async function openStore(): Promise<TranscriptStore> {
  const s = new TranscriptStore({ dir: join(dir.path, 'transcripts'), logger: memoryLogger().logger });
  await s.initialize();
  stores.push(s);
  return s;
}

async function journal(): Promise<{ type: string; turn?: string }[]> {
  const text = await readFile(join(dir.path, 'transcripts', ref.npcId, `${ref.conversationId}.jsonl`), 'utf8');
  return text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; turn?: string });
}

beforeEach(async () => {
  dir = await tempDir();
});

afterEach(async () => {
  for (const s of stores.splice(0)) await s.cleanup();
  await dir.remove();
});

describe('reply drafts', () => {
  it('recover an unfinished reply as interrupted, with the journaled text, once', async () => {
    const first = await openStore();
    await first.start(ref.npcId, { conversationId: ref.conversationId, greetings: ['Welcome.'] });
    await first.addMessage(ref, 'user', { text: 'Tell me of the salt road.' });
    await first.appendDraft(ref, 't-1', 'The road ');
    await first.appendDraft(ref, 't-1', 'runs east');
    // While it streams, a draft is no message.
    expect((await first.view(ref)).messages.map((m) => m.id)).toEqual(['m1', 'm2']);
    await first.cleanup(); // the host dies here: no final save

    const second = await openStore();
    const view = await second.view(ref);
    expect(view.messages.at(-1)).toMatchObject({
      id: 'm3',
      role: 'assistant',
      text: 'The road runs east',
      interrupted: true,
      meta: { interruptedBy: DRAFT_RECOVERED_REASON },
    });
    expect(view.problems).toEqual([]);
    await second.cleanup();

    const third = await openStore();
    expect((await third.view(ref)).messages.map((m) => [m.id, m.interrupted])).toEqual([
      ['m1', false],
      ['m2', false],
      ['m3', true],
    ]);
    expect((await journal()).filter((e) => e.type === 'message-added' && e.turn === 't-1')).toHaveLength(1);
    // The conversation goes on after it.
    expect((await third.addMessage(ref, 'user', { text: 'Go on.' })).id).toBe('m4');
  });

  it('leave nothing to recover once the final save names the turn', async () => {
    const first = await openStore();
    await first.start(ref.npcId, { conversationId: ref.conversationId });
    await first.addMessage(ref, 'user', { text: 'Hello?' });
    await first.appendDraft(ref, 't-2', 'Hel');
    await first.addMessage(ref, 'assistant', { text: 'Hello there.', turn: 't-2' });
    await first.cleanup();
    const second = await openStore();
    expect((await second.view(ref)).messages.map((m) => [m.text, m.interrupted])).toEqual([
      ['Hello?', false],
      ['Hello there.', false],
    ]);
  });

  it('recover a regenerated reply as an interrupted swipe of the reply it regenerated', async () => {
    const first = await openStore();
    await first.start(ref.npcId, { conversationId: ref.conversationId });
    await first.addMessage(ref, 'user', { text: 'Hello?' });
    await first.addMessage(ref, 'assistant', { text: 'Hi.' });
    await first.appendDraft(ref, 't-3', 'Well met, ', { swipeOf: 'm2' });
    await first.cleanup();
    const second = await openStore();
    const reply = (await second.view(ref)).messages.at(-1)!;
    expect(reply).toMatchObject({ id: 'm2', text: 'Well met, ', interrupted: true, chosen: 1 });
    expect(reply.swipes.map((s) => [s.text, s.interrupted])).toEqual([
      ['Hi.', false],
      ['Well met, ', true],
    ]);
  });

  it('recover a continued reply as its own text with the continuation appended, interrupted, once', async () => {
    const first = await openStore();
    await first.start(ref.npcId, { conversationId: ref.conversationId });
    await first.addMessage(ref, 'user', { text: 'Hello?' });
    await first.addMessage(ref, 'assistant', { text: 'Hi.' });
    await first.appendDraft(ref, 't-4', ' Well met,', { continues: 'm2' });
    await first.appendDraft(ref, 't-4', ' traveller.', { continues: 'm2' });
    expect((await first.view(ref)).messages.at(-1)!.text).toBe('Hi.');
    await first.cleanup(); // the host dies here: no final save

    for (let open = 0; open < 2; open++) {
      const store = await openStore();
      const view = await store.view(ref);
      expect(view.messages.map((m) => m.id)).toEqual(['m1', 'm2']);
      expect(view.messages[1]).toMatchObject({ text: 'Hi. Well met, traveller.', interrupted: true, chosen: 0 });
      expect(view.messages[1]!.swipes).toHaveLength(1);
      expect(view.problems).toEqual([]);
      await store.cleanup();
    }
    expect((await journal()).filter((e) => e.turn === 't-4').map((e) => e.type)).toEqual(['text-appended']);
    // A page read from the journal's end shows it the same way.
    const paged = await (await openStore()).page(ref, 10);
    expect(paged.messages.at(-1)).toMatchObject({ id: 'm2', text: 'Hi. Well met, traveller.', interrupted: true });
  });

  it('are written in batches, one write at a time, and not after close', async () => {
    const writes: string[] = [];
    let release!: () => void;
    const draft = new ReplyDraft(
      async (text) => {
        writes.push(text);
        if (writes.length === 1) await new Promise<void>((r) => (release = r));
      },
      (err) => {
        throw err;
      },
      20,
    );
    draft.add('a');
    draft.add('b');
    await new Promise((r) => setTimeout(r, 60));
    expect(writes).toEqual(['ab']); // first batch in flight, held
    draft.add('c');
    await new Promise((r) => setTimeout(r, 60));
    draft.add('d');
    await new Promise((r) => setTimeout(r, 60));
    release();
    await new Promise((r) => setTimeout(r, 10));
    expect(writes).toEqual(['ab', 'cd']); // what arrived during the slow write went out together
    draft.add('e');
    await draft.close();
    await new Promise((r) => setTimeout(r, 60));
    expect(writes).toEqual(['ab', 'cd']);
  });
});
