import { readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../electron/host/log/logger';
import { StoreClosedError } from '../../electron/host/npc/npc-errors';
import { TranscriptStore } from '../../electron/host/npc/transcript-store';
import { TranscriptError } from '../../electron/host/npc/transcript-store-api';
import { openFilePaths } from '../../electron/host/resources/proc';
import { tempDir } from '../support/temp-dir';

let dir: { path: string; remove: () => Promise<void> };
let store: TranscriptStore;
const logs = memoryLogger();
const ref = { npcId: 'mira-1a2b3c', conversationId: 'c-first' };
const fileOf = (r = ref) => join(dir.path, 'transcripts', r.npcId, `${r.conversationId}.jsonl`);
const openUnder = (path: string) => openFilePaths().filter((p) => p.startsWith(path));

async function openStore(): Promise<TranscriptStore> {
  const s = new TranscriptStore({ dir: join(dir.path, 'transcripts'), logger: logs.logger });
  await s.initialize();
  return s;
}

beforeEach(async () => {
  dir = await tempDir();
  store = await openStore();
});

afterEach(async () => {
  await store.cleanup();
  await dir.remove();
});

describe('TranscriptStore', () => {
  it('offers alternate greetings as swipes of the first message, keeps regenerated replies as swipes, edits and deletes', async () => {
    const started = await store.start(ref.npcId, {
      conversationId: ref.conversationId,
      greetings: ['Hello, Ada.', '', 'Back again?', 'Closed.'],
    });
    expect(started.messages).toHaveLength(1);
    expect(started.messages[0]).toMatchObject({ id: 'm1', role: 'assistant', greeting: true, text: 'Hello, Ada.', chosen: 0 });
    expect(started.messages[0]!.swipes.map((s) => s.text)).toEqual(['Hello, Ada.', 'Back again?', 'Closed.']);

    expect(await store.chooseSwipe(ref, 'm1', 2)).toMatchObject({ text: 'Closed.', chosen: 2 });
    await store.addMessage(ref, 'user', { text: 'What is the Moonwell?' });
    const reply = await store.addMessage(ref, 'assistant', { text: 'A spring.', meta: { model: 'llama3.2', replyTokens: 3 } });
    expect(reply).toMatchObject({ id: 'm3', text: 'A spring.', meta: { model: 'llama3.2' } });
    const regenerated = await store.addSwipe(ref, 'm3', { text: 'A cold spring under the chapel.' });
    expect(regenerated).toMatchObject({ chosen: 1, text: 'A cold spring under the chapel.' });
    expect(regenerated.swipes.map((s) => s.text)).toEqual(['A spring.', 'A cold spring under the chapel.']);
    await store.chooseSwipe(ref, 'm3', 0);
    const edited = await store.editMessage(ref, 'm3', 'A spring, edited.');
    expect(edited).toMatchObject({ text: 'A spring, edited.', chosen: 0, editedAt: expect.any(String) });
    expect(edited.swipes[1]!.text).toBe('A cold spring under the chapel.');
    await store.addMessage(ref, 'user', { text: 'oops' });
    await store.deleteMessage(ref, 'm4');
    const next = await store.addMessage(ref, 'user', { text: 'Thanks.' });
    expect(next.id).toBe('m5'); // ids are never reused

    const before = await store.view(ref);
    expect(before.messages.map((m) => [m.id, m.text])).toEqual([
      ['m1', 'Closed.'],
      ['m2', 'What is the Moonwell?'],
      ['m3', 'A spring, edited.'],
      ['m5', 'Thanks.'],
    ]);
    await store.cleanup();
    store = await openStore();
    expect(await store.view(ref)).toEqual(before);
  });

  it('refuses a change that cannot apply, and writes nothing', async () => {
    await store.start(ref.npcId, { conversationId: ref.conversationId, greetings: ['Hi.'] });
    await store.addMessage(ref, 'user', { text: 'Hello' });
    const size = (await stat(fileOf())).size;
    await expect(store.chooseSwipe(ref, 'm1', 3)).rejects.toThrow(/m1 has 1 swipe\(s\), no index 3/);
    await expect(store.addSwipe(ref, 'm2', { text: 'x' })).rejects.toThrow(/only replies get swipes/);
    await expect(store.editMessage(ref, 'm9', 'x')).rejects.toBeInstanceOf(TranscriptError);
    await expect(store.deleteMessage(ref, 'm9')).rejects.toThrow(/conversation mira-1a2b3c\/c-first: no message m9/);
    await expect(store.start(ref.npcId, { conversationId: ref.conversationId })).rejects.toThrow(/already started/);
    await expect(store.view({ npcId: '../etc', conversationId: 'x' })).rejects.toThrow(/npcId "\.\.\/etc"/);
    expect((await stat(fileOf())).size).toBe(size);
  });

  it('keeps a partial reply marked interrupted, across a restart', async () => {
    await store.start(ref.npcId, { conversationId: ref.conversationId });
    await store.addMessage(ref, 'user', { text: 'Tell me a long story.' });
    await store.addMessage(ref, 'assistant', { text: 'Once upon a', interrupted: true });
    await store.addSwipe(ref, 'm2', { text: 'Long ago', interrupted: true });
    await store.addSwipe(ref, 'm2', { text: 'Long ago, in Emberfall, it ended.' });
    await store.cleanup();
    store = await openStore();
    const m2 = (await store.view(ref)).messages[1]!;
    expect(m2.swipes.map((s) => s.interrupted)).toEqual([true, true, false]);
    expect(m2.interrupted).toBe(false);
    expect((await store.chooseSwipe(ref, 'm2', 0)).interrupted).toBe(true);
  });

  it('recovers after the file is truncated mid-record: the torn record is dropped and reported, nothing else lost', async () => {
    await store.start(ref.npcId, { conversationId: ref.conversationId, greetings: ['Hi.'] });
    for (let i = 0; i < 5; i++) await store.addMessage(ref, i % 2 ? 'assistant' : 'user', { text: `message ${i}` });
    const whole = await store.view(ref);
    await store.cleanup();

    const text = await readFile(fileOf(), 'utf8');
    const lastLineStart = text.lastIndexOf('\n', text.length - 2) + 1;
    const cut = lastLineStart + Math.floor((text.length - lastLineStart) / 2); // halfway through the last record
    await truncate(fileOf(), Buffer.byteLength(text.slice(0, cut)));

    store = await openStore();
    const recovered = await store.view(ref);
    expect(recovered.messages).toEqual(whole.messages.slice(0, -1)); // records: started, greeting, 5 messages
    expect(recovered.problems).toEqual([{ line: 7, reason: expect.stringMatching(/torn last record dropped/), dropped: true }]);
    expect(await readFile(fileOf(), 'utf8')).toBe(text.slice(0, lastLineStart)); // cut back to the last whole record
    expect((await store.healthCheck()).status).toBe('degraded');

    const again = await store.addMessage(ref, 'assistant', { text: 'message 4, again' });
    expect(again.id).toBe('m6');
    await store.cleanup();
    store = await openStore();
    expect((await store.view(ref)).messages.map((m) => m.text)).toEqual([
      ...whole.messages.slice(0, -1).map((m) => m.text),
      'message 4, again',
    ]);
  });

  it('skips a damaged record in the middle and keeps every record after it', async () => {
    await store.start(ref.npcId, { conversationId: ref.conversationId });
    for (const t of ['one', 'two', 'three']) await store.addMessage(ref, 'user', { text: t });
    await store.cleanup();
    const lines = (await readFile(fileOf(), 'utf8')).split('\n');
    lines[2] = '{"type":"message-added", garbage';
    await writeFile(fileOf(), lines.join('\n'));
    store = await openStore();
    const view = await store.view(ref);
    expect(view.messages.map((m) => m.text)).toEqual(['one', 'three']);
    expect(view.problems).toEqual([{ line: 3, reason: 'not valid JSON', dropped: false }]);
    expect((await store.addMessage(ref, 'user', { text: 'four' })).id).toBe('m4');
  });

  it('serialises concurrent changes: sequential ids, all written', async () => {
    await store.start(ref.npcId, { conversationId: ref.conversationId });
    const added = await Promise.all(Array.from({ length: 20 }, (_, i) => store.addMessage(ref, 'user', { text: `t${i}` })));
    expect(added.map((m) => m.id)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i + 1}`));
    await store.cleanup();
    store = await openStore();
    expect((await store.view(ref)).messages.map((m) => m.text)).toEqual(added.map((m) => m.text));
  });

  it('exports JSON with every swipe and readable Markdown', async () => {
    await store.start(ref.npcId, { conversationId: ref.conversationId, greetings: ['Hi.', 'Yo.'] });
    await store.addMessage(ref, 'user', { text: 'Hello *there*' });
    await store.addMessage(ref, 'assistant', { text: 'Cut', interrupted: true });
    const json = JSON.parse(await store.exportTranscript(ref, 'json', { npcName: 'Mira', userName: 'Ada' }));
    expect(json).toMatchObject({
      format: 'npc-studio-transcript',
      version: 1,
      npcId: ref.npcId,
      npcName: 'Mira',
      conversationId: 'c-first',
    });
    expect(json.messages[0].swipes.map((s: { text: string }) => s.text)).toEqual(['Hi.', 'Yo.']);
    const md = await store.exportTranscript(ref, 'markdown', { npcName: 'Mira', userName: 'Ada' });
    expect(md).toContain('# Mira: conversation c-first');
    expect(md).toContain('**Mira** _(greeting, swipe 1 of 2)_\n\nHi.\n');
    expect(md).toContain('**Ada**\n\nHello *there*\n');
    expect(md).toContain('**Mira** _(interrupted)_\n\nCut\n');
  });

  it('lists conversations, holds one handle per open conversation, and closes every one', async () => {
    const other = { npcId: ref.npcId, conversationId: 'c-second' };
    await store.start(ref.npcId, { conversationId: ref.conversationId });
    const generated = await store.start(ref.npcId);
    expect(generated.conversationId).toMatch(/^c-[0-9a-z]+-[0-9a-f]{6}$/);
    await store.addMessage(other, 'user', { text: 'no start event needed' });
    expect((await store.listConversations(ref.npcId)).map((c) => c.conversationId).sort()).toEqual(
      ['c-first', 'c-second', generated.conversationId].sort(),
    );
    expect(await store.listConversations('nobody')).toEqual([]);

    expect(openUnder(dir.path).sort()).toEqual(
      [fileOf(), fileOf(other), fileOf({ npcId: ref.npcId, conversationId: generated.conversationId })].sort(),
    );
    expect((await store.healthCheck()).resources).toMatchObject({ openConversations: 3, openFiles: 3, problems: 0 });
    await store.closeConversation(other);
    expect(openUnder(dir.path)).toHaveLength(2);

    await Promise.all([store.cleanup(), store.cleanup()]);
    expect(openUnder(dir.path)).toEqual([]);
    expect((await store.healthCheck()).status).toBe('stopped');
    await expect(store.addMessage(ref, 'user', { text: 'late' })).rejects.toBeInstanceOf(StoreClosedError);
  });
});
