/*
 * Reading a conversation that does not exist (never started, or deleted) is refused with ConversationNotFoundError and
 * touches nothing on disk: no journal, no NPC folder. A write may still start it afterwards.
 */
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../electron/host/log/logger';
import { ConversationNotFoundError } from '../../electron/host/npc/chat-errors';
import { TranscriptStore } from '../../electron/host/npc/transcript-store';
import { tempDir } from '../support/temp-dir';

let dir: { path: string; remove: () => Promise<void> };
let store: TranscriptStore;
const logs = memoryLogger();

/** Every file and folder under the transcripts folder, relative to it. */
async function tree(): Promise<string[]> {
  const root = join(dir.path, 'transcripts');
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.map((e) => relative(root, join(e.parentPath, e.name))).sort();
}

beforeEach(async () => {
  dir = await tempDir();
  store = new TranscriptStore({ dir: join(dir.path, 'transcripts'), logger: logs.logger });
  await store.initialize();
});

afterEach(async () => {
  await store.cleanup();
  await dir.remove();
});

describe('reading a conversation that does not exist', () => {
  it('is refused as not found and creates nothing, for an NPC with no folder and one with other conversations', async () => {
    const never = { npcId: 'mira-1a2b3c', conversationId: 'c-never' };
    await expect(store.view(never)).rejects.toBeInstanceOf(ConversationNotFoundError);
    await expect(store.page(never, 20)).rejects.toBeInstanceOf(ConversationNotFoundError);
    await expect(store.page(never, 20, 'm5')).rejects.toBeInstanceOf(ConversationNotFoundError);
    await expect(store.exportTranscript(never, 'markdown')).rejects.toThrow(/no conversation "c-never" with mira-1a2b3c/);
    expect(await tree()).toEqual([]);

    await store.start('mira-1a2b3c', { conversationId: 'c-real', greetings: ['Hi.'] });
    const before = await tree();
    await expect(store.view(never)).rejects.toBeInstanceOf(ConversationNotFoundError);
    await expect(store.page(never, 20)).rejects.toBeInstanceOf(ConversationNotFoundError);
    expect(await tree()).toEqual(before);
    expect(await store.exists(never)).toBe(false);
  });

  it('is refused once the conversation is deleted, and the failed read does not stop a later start', async () => {
    const ref = { npcId: 'mira-1a2b3c', conversationId: 'c-gone' };
    await store.start(ref.npcId, { conversationId: ref.conversationId, greetings: ['Hi.'] });
    expect(await store.deleteConversation(ref)).toBe(true);
    await expect(store.view(ref)).rejects.toBeInstanceOf(ConversationNotFoundError);
    await expect(store.page(ref, 20)).rejects.toBeInstanceOf(ConversationNotFoundError);
    expect(await tree()).not.toContain(join(ref.npcId, 'c-gone.jsonl'));

    // A start racing a read of the same (missing) conversation still starts it; the read is refused or sees it.
    const read = store.view(ref).catch((err: unknown) => err);
    const started = await store.start(ref.npcId, { conversationId: ref.conversationId, greetings: ['Again.'] });
    expect(started.messages.map((m) => m.text)).toEqual(['Again.']);
    const raced = await read;
    if (!(raced instanceof ConversationNotFoundError)) expect(raced).toMatchObject({ conversationId: 'c-gone' });
    expect((await store.view(ref)).messages.map((m) => m.text)).toEqual(['Again.']);
  });
});
