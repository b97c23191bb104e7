/*
 * Compact transcripts (issue K item 8) lose nothing: what the studio shows of a conversation with lore (keyed,
 * recursive), knowledge, a regenerate, an edit and a branch reads back from disk exactly as it was when written,
 * whole (chat.history), paged from the journal's end (chat.page) and as prompts (chat.prompt). Journals written
 * by earlier formats still open.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toTurn } from '../../electron/host/ipc/handlers/transcript-turns';
import { memoryLogger } from '../../electron/host/log/logger';
import { promptView } from '../../electron/host/npc/prompt-view';
import { TranscriptStore } from '../../electron/host/npc/transcript-store';
import type { ConversationView } from '../../electron/host/npc/transcript-schema';
import type { KnowledgeChunk } from '../../shared/chat';
import { tempDir } from '../support/temp-dir';
import { miraDraft, startChatRig, type ChatRig } from './rig';

let rig: ChatRig;
const reopened: TranscriptStore[] = [];

const corpus: KnowledgeChunk[] = ['forge', 'guild'].map((p) => ({
  source: `${p}.md`,
  sourceId: `s-${p}`,
  text: `The ${p} of Emberfall has stood for a long time and everyone in town knows its story well.`,
  distance: 0.2,
}));

beforeEach(async () => {
  rig = await startChatRig({
    lore: { query: async (_npc, text, k) => corpus.filter((c) => text.includes(c.source.replace('.md', ''))).slice(0, k) },
  });
});

afterEach(async () => {
  for (const s of reopened.splice(0)) await s.cleanup();
  await rig.close();
});

async function reopen(): Promise<TranscriptStore> {
  const store = new TranscriptStore({ dir: rig.transcripts.dir, logger: memoryLogger().logger });
  await store.initialize();
  reopened.push(store);
  return store;
}

/** What chat.history, chat.page and chat.prompt show of a conversation. */
function shown(view: Pick<ConversationView, 'npcId' | 'conversationId' | 'messages'>) {
  return {
    turns: view.messages.map(toTurn),
    prompts: view.messages
      .filter((m) => m.role === 'assistant' && !m.greeting)
      .flatMap((m) =>
        m.swipes.map((_, alternative) =>
          promptView({
            npcId: view.npcId,
            conversationId: view.conversationId,
            messages: view.messages,
            messageId: m.id,
            alternative,
            personaName: () => 'Ada',
          }),
        ),
      ),
  };
}

async function converse(): Promise<{ npcId: string }> {
  const base = miraDraft();
  const npc = await rig.npcs.save({
    ...base,
    card: {
      ...base.card,
      character_book: {
        recursive_scanning: true,
        extensions: {},
        entries: [
          ['forge', 'Lore: the forge was lit with ember from the old mine.'],
          ['ember', 'Lore: ember from the mine never goes out.'],
          ['guild', 'Lore: Mira owes the guild forty crowns.'],
        ].map(([key, content], i) => ({
          keys: [key!],
          content: content!,
          extensions: {},
          enabled: true,
          insertion_order: i + 1,
          comment: key,
        })),
      },
    },
  });
  const say = async (text: string) => (await (await rig.service.send(npc.id, text)).finished).error;
  expect(await say('Tell me about the forge, please.')).toBeUndefined();
  expect(await say('And   the guild?\nAnd the forge   again.')).toBeUndefined();
  const view = await rig.transcripts.view({ npcId: npc.id, conversationId: 'main' });
  const last = view.messages.at(-1)!;
  expect((await (await rig.service.regenerate(npc.id, last.id)).finished).error).toBeUndefined();
  expect(await say('What of the guild and the forge?')).toBeUndefined();
  // An earlier message edited after the replies that matched in it: they still show what they matched then.
  await rig.transcripts.editMessage({ npcId: npc.id, conversationId: 'main' }, 'm2', 'Never mind the smithy.');
  return { npcId: npc.id };
}

describe('compact transcripts read back exactly as written', () => {
  it('with lore matches, recursion, knowledge, a regenerate and an edit: whole, paged and as prompts', async () => {
    const { npcId } = await converse();
    const ref = { npcId, conversationId: 'main' };
    const written = await rig.transcripts.view(ref);
    const replies = written.messages.filter((m) => m.role === 'assistant' && !m.greeting);
    const traces = replies.flatMap((m) => m.swipes.flatMap((s) => s.meta?.used?.lore?.activated ?? []));
    // The workload has what the encodings touch: matches in messages (one edited since), recursion, knowledge.
    const inMessage = traces.flatMap((a) => (a.trace.matchedIn?.kind === 'message' ? [a.trace.matchedIn.excerpt] : []));
    expect(inMessage.some((excerpt) => excerpt.includes('Tell me about the forge'))).toBe(true);
    expect(traces.some((a) => a.trace.reason === 'recursion')).toBe(true);
    expect(replies.every((m) => (m.meta?.used?.chunks.length ?? 0) > 0)).toBe(true);
    expect(replies.some((m) => m.swipes.length === 2)).toBe(true);
    const journal = await readFile(join(rig.transcripts.dir, npcId, 'main.jsonl'), 'utf8');
    // Matches in messages are stored as positions (also where whitespace runs were made single spaces).
    expect(journal).toMatch(/\[3,1,\d+,\d+\]/);
    expect(journal).not.toContain('"kind":"message"');
    expect(await readFile(join(rig.transcripts.dir, npcId, '.parts.jsonl'), 'utf8')).not.toContain('\\"kind\\":\\"message\\"');

    const store = await reopen();
    const read = await store.view(ref);
    expect(read.problems).toEqual([]);
    expect(read.messages).toEqual(written.messages);
    expect(shown(read)).toEqual(shown(written));
    // A page read from the journal's end: replies whose matches point before the page read them from the context.
    for (const limit of [1, 2, 3, 20]) {
      const page = await (await reopen()).page(ref, limit);
      expect(page.problems).toEqual([]);
      expect(page.messages).toEqual(written.messages.slice(-limit));
      expect(page.messages.map(toTurn)).toEqual(written.messages.slice(-limit).map(toTurn));
    }
  });

  it('a branch written whole reads back the same details', async () => {
    const { npcId } = await converse();
    const written = await rig.transcripts.view({ npcId, conversationId: 'main' });
    const branch = await rig.transcripts.create(npcId, { messages: written.messages }, 'c-branch');
    const read = await (await reopen()).view({ npcId, conversationId: branch.conversationId });
    expect(read.problems).toEqual([]);
    expect(read.messages).toEqual(written.messages);
  });
});

describe('a damaged journal', () => {
  it('reports a lost message a lore match points to, keeps the damaged line and every reply', async () => {
    const { npcId } = await converse();
    const ref = { npcId, conversationId: 'main' };
    const written = await rig.transcripts.view(ref);
    await rig.transcripts.cleanup();
    const file = join(rig.transcripts.dir, npcId, 'main.jsonl');
    const lines = (await readFile(file, 'utf8')).split('\n');
    const damaged = lines.findIndex((l) => l.includes('"id":"m2"'));
    lines[damaged] = '{"type":"message-added","id":"m2", damaged';
    await writeFile(file, lines.join('\n'));

    const read = await (await reopen()).view(ref);
    const reasons = read.problems.map((p) => p.reason).join('\n');
    expect(reasons).toMatch(/points to m2, which the journal no longer holds/);
    expect(read.messages.map((m) => m.id)).toEqual(written.messages.filter((m) => m.id !== 'm2').map((m) => m.id));
    const m3 = read.messages.find((m) => m.id === 'm3')!;
    expect(m3.text).toBe(written.messages.find((m) => m.id === 'm3')!.text);
    expect(m3.meta!.used!.lore!.activated[0]!.trace.matchedIn).toMatchObject({
      kind: 'message',
      excerpt: '[message m2 is missing from the journal]',
    });
    expect(await readFile(file, 'utf8')).toContain('"id":"m2", damaged');
  });
});

describe('journals of earlier formats', () => {
  it('open a journal whose parts and trace excerpts were written by the first compact format', async () => {
    const temp = await tempDir('npc-transcript-v1-');
    try {
      const folder = join(temp.path, 'mira-vell-8188af');
      await cp(join(__dirname, '../fixtures/transcripts/parts-v1'), folder, { recursive: true });
      const store = new TranscriptStore({ dir: temp.path, logger: memoryLogger().logger });
      await store.initialize();
      try {
        const view = await store.view({ npcId: 'mira-vell-8188af', conversationId: 'main' });
        expect(view.problems).toEqual([]);
        const replies = view.messages.filter((m) => m.role === 'assistant' && !m.greeting);
        expect(replies).toHaveLength(3);
        const first = replies[0]!.meta!;
        expect(first.usage).toMatchObject({ promptTokens: expect.any(Number), replyTokens: 60, loadDurationMs: expect.any(Number) });
        const activated = first.used!.lore!.activated;
        expect(activated.map((a) => a.comment)).toEqual(['harbor', 'forge', 'vault']);
        const excerpt = 'Tell me about the harbor and the vault, please (turn 0).';
        expect(activated[0]!.trace.matchedIn).toEqual({ kind: 'message', index: 1, role: 'user', excerpt });
        expect(first.used!.chunks.length).toBeGreaterThan(0);
        expect(first.sent!.messages.length).toBeGreaterThan(0);
        const page = await store.page({ npcId: 'mira-vell-8188af', conversationId: 'main' }, 2);
        expect(page.messages).toEqual(view.messages.slice(-2));
      } finally {
        await store.cleanup();
      }
    } finally {
      await temp.remove();
    }
  });
});
