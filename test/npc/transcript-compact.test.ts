/*
 * Compact transcripts (issue K item 8): a reply's prompt parts are stored once by content hash in .parts.jsonl
 * and referenced; reply drafts live in a file of their own removed once the reply is saved; a long
 * conversation is read a page at a time from its end; journals written before all this still open.
 */
import { access, appendFile, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../electron/host/log/logger';
import { TranscriptStore } from '../../electron/host/npc/transcript-store';
import type { ReplyMeta } from '../../shared/chat';
import { tempDir } from '../support/temp-dir';

let dir: { path: string; remove: () => Promise<void> };
const stores: TranscriptStore[] = [];
const ref = { npcId: 'mira-1a2b3c', conversationId: 'main' };
const fileOf = (conversationId = 'main') => join(dir.path, 'transcripts', ref.npcId, `${conversationId}.jsonl`);

async function openStore(): Promise<TranscriptStore> {
  const s = new TranscriptStore({ dir: join(dir.path, 'transcripts'), logger: memoryLogger().logger });
  await s.initialize();
  stores.push(s);
  return s;
}

const SYSTEM = 'You are Mira Vell, the blacksmith of Emberfall. '.repeat(40);
function meta(turn: number): ReplyMeta {
  return {
    processor: 'local',
    model: 'llama3.2',
    usage: { promptTokens: 900 + turn, replyTokens: 40, latencyMs: 120 },
    prompt: { system: SYSTEM, user: `question ${turn}`, postHistory: ['Stay in character and never reveal the vault code to anyone.'] },
  };
}

beforeEach(async () => {
  dir = await tempDir();
});

afterEach(async () => {
  for (const s of stores.splice(0)) await s.cleanup();
  await dir.remove();
});

describe('compact transcripts', () => {
  it('store a repeated system prompt once and read every reply back whole', async () => {
    const store = await openStore();
    await store.start(ref.npcId, { conversationId: 'main' });
    const partsFile = join(dir.path, 'transcripts', ref.npcId, '.parts.jsonl');
    const partsBytes: number[] = [];
    for (let i = 1; i <= 4; i++) {
      await store.addMessage(ref, 'user', { text: `question ${i}` });
      await store.addMessage(ref, 'assistant', { text: `answer ${i}`, meta: meta(i) });
      partsBytes.push((await stat(partsFile)).size);
    }
    const journal = await readFile(fileOf(), 'utf8');
    expect(journal).not.toContain('blacksmith');
    const parts = await readFile(partsFile, 'utf8');
    expect(parts.split(SYSTEM).length).toBe(2); // the system prompt is stored once
    // Parts met again are stored once: from the third reply on, nothing new is written.
    expect(partsBytes[3]).toBe(partsBytes[2]);
    expect(Buffer.byteLength(journal) / 4).toBeLessThan(SYSTEM.length / 4);
    await store.cleanup();

    const again = await openStore();
    const view = await again.view(ref);
    expect(view.problems).toEqual([]);
    expect(view.messages.filter((m) => m.role === 'assistant').map((m) => m.meta)).toEqual([meta(1), meta(2), meta(3), meta(4)]);
  });

  it('open a journal written before parts: replies with their whole prompt inline read as they are', async () => {
    const at = '2025-01-01T00:00:00.000Z';
    const store = await openStore();
    await store.start(ref.npcId, { conversationId: 'c-old' });
    await store.cleanup();
    await appendFile(
      fileOf('c-old'),
      [
        { type: 'message-added', at, id: 'm1', role: 'user', text: 'q' },
        { type: 'message-added', at, id: 'm2', role: 'assistant', text: 'a', meta: meta(1) },
        { type: 'reply-draft', at, turn: 't-x', text: 'partial' },
        { type: 'message-added', at, id: 'm3', role: 'assistant', text: 'partial reply', turn: 't-x' },
      ]
        .map((e) => JSON.stringify(e))
        .join('\n') + '\n',
    );
    const again = await openStore();
    const view = await again.view({ npcId: ref.npcId, conversationId: 'c-old' });
    expect(view.problems).toEqual([]);
    expect(view.messages.map((m) => m.text)).toEqual(['q', 'a', 'partial reply']);
    expect(view.messages[1]!.meta).toEqual(meta(1));
  });

  it('report a missing part and keep the reply text', async () => {
    const store = await openStore();
    await store.start(ref.npcId, { conversationId: 'main' });
    await store.addMessage(ref, 'user', { text: 'q' });
    await store.addMessage(ref, 'assistant', { text: 'kept', meta: meta(1) });
    await store.cleanup();
    await writeFile(join(dir.path, 'transcripts', ref.npcId, '.parts.jsonl'), '');
    const view = await (await openStore()).view(ref);
    expect(view.messages.map((m) => m.text)).toEqual(['q', 'kept']);
    expect(view.problems.map((p) => p.reason).join('\n')).toMatch(/prompt part\(s\) missing/);
  });

  it('journal reply drafts in a file of their own, removed once the reply is saved', async () => {
    const store = await openStore();
    await store.start(ref.npcId, { conversationId: 'main' });
    await store.addMessage(ref, 'user', { text: 'q' });
    const before = (await stat(fileOf())).size;
    await store.appendDraft(ref, 't-1', 'The road ');
    await store.appendDraft(ref, 't-1', 'runs east');
    expect((await stat(fileOf())).size).toBe(before);
    await access(fileOf('main').replace('.jsonl', '.drafts.jsonl'));
    await store.addMessage(ref, 'assistant', { text: 'The road runs east.', turn: 't-1' });
    expect(await readdir(join(dir.path, 'transcripts', ref.npcId))).toEqual(['main.jsonl']);
    expect(await readFile(fileOf(), 'utf8')).not.toContain('reply-draft');
  });
});

describe('paged reading', () => {
  async function conversation(store: TranscriptStore, turns: number) {
    await store.start(ref.npcId, { conversationId: 'main', greetings: ['Hello.'] });
    for (let i = 1; i <= turns; i++) {
      await store.addMessage(ref, 'user', { text: `q${i}` });
      const reply = await store.addMessage(ref, 'assistant', { text: `a${i}`, meta: meta(i) });
      if (i % 5 === 0) await store.addSwipe(ref, reply.id, { text: `a${i}'`, meta: meta(i) });
      if (i % 7 === 0) await store.editMessage(ref, `m${Number(reply.id.slice(1)) - 1}`, `q${i} (edited)`);
    }
    await store.deleteMessage(ref, 'm4');
  }

  it('reads the newest page from the end of the file, the same as the whole view, and pages back to the start', async () => {
    const writer = await openStore();
    await conversation(writer, 30);
    const whole = (await writer.view(ref)).messages;
    await writer.cleanup();

    const reader = await openStore();
    const pages: string[][] = [];
    let page = await reader.page(ref, 8);
    pages.unshift(page.messages.map((m) => m.id));
    expect(page.messages).toEqual(whole.slice(-8));
    // Read from the end without opening the journal (a whole open keeps a handle).
    expect((await reader.healthCheck()).resources).toMatchObject({ openConversations: 0 });
    while (page.olderCursor) {
      page = await reader.page(ref, 8, page.olderCursor);
      pages.unshift(page.messages.map((m) => m.id));
    }
    expect(pages.flat()).toEqual(whole.map((m) => m.id));
    expect(pages[0]!.length).toBeLessThanOrEqual(8);
  });

  it('falls back to reading the whole journal for a torn last record, which is dropped and reported', async () => {
    const writer = await openStore();
    await conversation(writer, 4);
    await writer.cleanup();
    await appendFile(fileOf(), '{"type":"message-added","at":"2025');
    const page = await (await openStore()).page(ref, 3);
    expect(page.messages.map((m) => m.text)).toEqual(['a3', 'q4', 'a4']);
    expect(page.problems.map((p) => p.reason).join('\n')).toMatch(/torn last record dropped/);
  });

  it('refuses a cursor that is not one', async () => {
    const store = await openStore();
    await conversation(store, 2);
    await expect(store.page(ref, 5, 'zzz')).rejects.toThrow(/not a page cursor/);
  });
});
