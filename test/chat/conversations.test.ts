/*
 * Issue K: several conversations per NPC (new, list, rename, duplicate, branch, delete), personas in the prompt,
 * the author's note, continue, impersonate, edit-and-resend, and the prompt viewer's data, through the channel
 * handlers on the real stores, chat service and the Ollama-protocol demo server.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chatHandlers } from '../../electron/host/ipc/handlers/chat-handlers';
import { conversationHandlers } from '../../electron/host/ipc/handlers/conversation-handlers';
import type { StudioServices } from '../../electron/host/ipc/handlers/services';
import { PersonaStore } from '../../electron/host/npc/persona-store';
import { replyText } from '../../electron/host/demo/ollama';
import { contract, type Channel, type Input, type Output } from '../../shared/contract';
import { miraDraft, startChatRig, type ChatRig } from './rig';

let rig: ChatRig | undefined;
let personas: PersonaStore | undefined;

afterEach(async () => {
  await personas?.cleanup();
  await rig?.close();
  rig = personas = undefined;
});

async function setUp() {
  const temp = await import('../support/temp-dir').then((m) => m.tempDir());
  personas = new PersonaStore({
    file: join(temp.path, 'personas.json'),
    logger: (await import('../../electron/host/log/logger')).memoryLogger().logger,
  });
  await personas.initialize();
  const store = personas;
  rig = await startChatRig({ personas: { resolve: (id) => store.resolve(id) } });
  const npc = await rig.npcs.save(miraDraft());
  const s = { npcs: rig.npcs, transcripts: rig.transcripts, chat: rig.service, personas: store } as unknown as StudioServices;
  const handlers = { ...chatHandlers(s), ...conversationHandlers(s) };
  /** Calls a channel as the router does: the input parsed by the contract first. */
  const call = async <C extends keyof typeof handlers & Channel>(channel: C, input: Input<C>): Promise<Output<C>> => {
    const parsed = contract[channel].input.parse(input) as never;
    return (handlers[channel] as unknown as (i: never) => Promise<Output<C>>)(parsed);
  };
  return { npc, call, dir: temp };
}

function lastChat(r: ChatRig) {
  return [...r.server.requests].reverse().find((q) => q.path === '/api/chat')!.body as { messages: { role: string; content: string }[] };
}

async function replyDone(r: ChatRig, turnId: string): Promise<void> {
  while (!r.events.ends(turnId).length) await new Promise((res) => setTimeout(res, 5));
}

describe('conversations of an NPC', () => {
  it('are created, listed with last message and count, renamed, duplicated, branched and deleted; main keeps working', async () => {
    const { npc, call } = await setUp();
    const first = await call('chat.send', { npcId: npc.id, text: 'What do you owe the guild?' });
    await replyDone(rig!, first.turnId);

    const other = await call('conversation.create', { npcId: npc.id, title: 'At the docks' });
    expect(other).toMatchObject({
      title: 'At the docks',
      messageCount: 1,
      lastMessage: { role: 'assistant', excerpt: 'Welcome to my forge, Ada.' },
    });
    const second = await call('chat.send', { npcId: npc.id, conversationId: other.conversationId, text: 'Any ships today?' });
    await replyDone(rig!, second.turnId);

    const list = await call('conversation.list', { npcId: npc.id });
    expect(list.map((c) => [c.conversationId, c.title, c.messageCount]).sort()).toEqual(
      [
        ['main', 'Main conversation', 3],
        [other.conversationId, 'At the docks', 3],
      ].sort(),
    );
    expect(list.find((c) => c.conversationId === 'main')!.lastMessage!.excerpt).toContain('I am Mira Vell.');
    // Each conversation has its own history: the docks reply never saw the guild question.
    expect(
      lastChat(rig!)
        .messages.map((m) => m.content)
        .join('\n'),
    ).not.toContain('guild?');

    expect(await call('conversation.rename', { npcId: npc.id, conversationId: 'main', title: 'Debts' })).toMatchObject({ title: 'Debts' });
    const copy = await call('conversation.duplicate', { npcId: npc.id, conversationId: 'main' });
    expect(copy).toMatchObject({ title: 'Debts (copy)', messageCount: 3, branchedFrom: { conversationId: 'main', messageId: 'm3' } });
    const branch = await call('conversation.branch', { npcId: npc.id, conversationId: 'main', messageId: 'm2' });
    expect(branch).toMatchObject({ messageCount: 2, branchedFrom: { conversationId: 'main', messageId: 'm2' } });
    // The branch shares the history up to m2 (copied, with the greeting's alternatives), then goes its own way.
    const branchHistory = await call('chat.history', { npcId: npc.id, conversationId: branch.conversationId });
    expect(branchHistory.turns.map((t) => [t.id, t.text])).toEqual([
      ['m1', 'Welcome to my forge, Ada.'],
      ['m2', 'What do you owe the guild?'],
    ]);
    expect(branchHistory.turns[0]!.alternatives).toEqual(['Welcome to my forge, Ada.', 'Back again, Ada?']);
    const regen = await call('chat.send', { npcId: npc.id, conversationId: branch.conversationId, text: 'And the dragon?' });
    await replyDone(rig!, regen.turnId);
    expect((await call('chat.history', { npcId: npc.id })).turns).toHaveLength(3);

    expect(await call('conversation.delete', { npcId: npc.id, conversationId: copy.conversationId })).toEqual({ deleted: true });
    expect((await call('conversation.list', { npcId: npc.id })).map((c) => c.conversationId)).not.toContain(copy.conversationId);
    await expect(call('chat.history', { npcId: npc.id, conversationId: copy.conversationId })).rejects.toThrow(/no conversation/);
  });

  it('opens a main.jsonl written before there were several conversations', async () => {
    const { npc, call } = await setUp();
    const folder = join(rig!.dir, 'transcripts', npc.id);
    await mkdir(folder, { recursive: true });
    const at = '2025-01-02T03:04:05.000Z';
    await writeFile(
      join(folder, 'main.jsonl'),
      [
        { type: 'conversation-started', at, npcId: npc.id, conversationId: 'main' },
        { type: 'message-added', at, id: 'm1', role: 'user', text: 'Old question' },
        {
          type: 'message-added',
          at,
          id: 'm2',
          role: 'assistant',
          text: 'Old answer',
          meta: { model: 'llama3.2', prompt: { system: 'You are Mira.', user: 'Old question', postHistory: [] } },
        },
      ]
        .map((e) => JSON.stringify(e))
        .join('\n') + '\n',
    );
    expect((await call('conversation.list', { npcId: npc.id }))[0]).toMatchObject({
      conversationId: 'main',
      title: 'Main conversation',
      messageCount: 2,
    });
    expect((await call('chat.page', { npcId: npc.id, limit: 10 })).turns.map((t) => t.text)).toEqual(['Old question', 'Old answer']);
  });
});

describe("personas and the author's note", () => {
  it(
    'put the persona name for {{user}} and its description in the prompt; ' + "a conversation's own persona wins over the default",
    async () => {
      const { npc, call } = await setUp();
      const captain = await call('persona.save', { name: 'Captain Rhys', description: '{{user}} is a retired captain with a limp.' });
      const scholar = await call('persona.save', { name: 'Sela', description: 'A scholar of old maps.' });
      expect((await call('persona.setDefault', { id: captain.id })).defaultId).toBe(captain.id);

      const conv = await call('conversation.create', { npcId: npc.id });
      expect(conv).toMatchObject({ personaId: null, lastMessage: { excerpt: 'Welcome to my forge, Captain Rhys.' } });
      const t1 = await call('chat.send', { npcId: npc.id, conversationId: conv.conversationId, text: 'Hello.' });
      await replyDone(rig!, t1.turnId);
      const system1 = lastChat(rig!).messages[0]!.content;
      expect(system1).toContain('Captain Rhys is a retired captain with a limp.');

      await call('conversation.configure', {
        npcId: npc.id,
        conversationId: conv.conversationId,
        personaId: scholar.id,
        authorsNote: { text: '[{{user}} is in a hurry.]', depth: 1, role: 'user' },
      });
      const t2 = await call('chat.send', { npcId: npc.id, conversationId: conv.conversationId, text: 'Quickly now.' });
      await replyDone(rig!, t2.turnId);
      const sent = lastChat(rig!).messages;
      expect(sent[0]!.content).toContain('A scholar of old maps.');
      expect(sent[0]!.content).not.toContain('retired captain');
      // Depth 1: one message from the end, before the latest one, with its role.
      expect(sent.at(-2)).toEqual({ role: 'user', content: '[Sela is in a hurry.]' });
      expect(sent.at(-1)).toEqual({ role: 'user', content: 'Quickly now.' });
      expect((await call('conversation.list', { npcId: npc.id })).find((c) => c.conversationId === conv.conversationId)).toMatchObject({
        personaId: scholar.id,
        authorsNote: { depth: 1, role: 'user' },
      });

      // A deleted persona falls back to the default one.
      await call('persona.delete', { id: scholar.id });
      const t3 = await call('chat.send', { npcId: npc.id, conversationId: conv.conversationId, text: 'Again.' });
      await replyDone(rig!, t3.turnId);
      expect(lastChat(rig!).messages.at(-2)).toEqual({ role: 'user', content: '[Captain Rhys is in a hurry.]' });
    },
  );
});

describe('continue, impersonate, edit and resend', () => {
  it(
    'continue appends to the last reply; impersonate drafts a line and saves nothing; ' + 'edit-and-resend answers again from there',
    async () => {
      const { npc, call } = await setUp();
      const sent = await call('chat.send', { npcId: npc.id, text: 'Tell me about the guild.' });
      await replyDone(rig!, sent.turnId);
      const before = (await call('chat.history', { npcId: npc.id })).turns;
      const reply = before.at(-1)!;

      const cont = await call('chat.continue', { npcId: npc.id, turnId: reply.id });
      expect(cont).toMatchObject({ messageId: reply.id, alternative: 0 });
      await replyDone(rig!, cont.turnId);
      const continued = rig!.events.tokens(cont.turnId).join('');
      expect(continued.length).toBeGreaterThan(0);
      const after = (await call('chat.history', { npcId: npc.id })).turns;
      expect(after).toHaveLength(before.length);
      expect(after.at(-1)!.text).toBe(reply.text + continued);
      // The continued reply was sent last, after the post-history instructions, so the model extends it.
      expect(lastChat(rig!).messages.at(-1)).toEqual({ role: 'assistant', content: reply.text });

      const { text } = await call('chat.impersonate', { npcId: npc.id });
      const asked = lastChat(rig!).messages;
      expect(asked.at(-1)!.content).toContain('Write your next reply from the point of view of Ada');
      expect(text).toBe(replyText(asked).trim());
      expect((await call('chat.history', { npcId: npc.id })).turns).toHaveLength(after.length);

      const resent = await call('chat.editAndResend', { npcId: npc.id, turnId: 'm2', text: 'Tell me about the dragon.' });
      expect(resent.userTurnId).toBe('m2');
      await replyDone(rig!, resent.turnId);
      const turns = (await call('chat.history', { npcId: npc.id })).turns;
      expect(turns.map((t) => t.id)).toEqual(['m1', 'm2', 'm4']);
      expect(turns[1]!.text).toBe('Tell me about the dragon.');
      expect(turns[2]!.text).toContain('No dragon has been seen');
      await expect(call('chat.editAndResend', { npcId: npc.id, turnId: 'm4', text: 'x' })).rejects.toThrow(/not one of yours/);
    },
  );
});

describe('the prompt viewer', () => {
  it('returns every message sent with the source and tokens of each piece, and the request body the server received', async () => {
    const { npc, call } = await setUp();
    rig!.service['options'].lore = {
      query: async () => [{ source: 'harbor.md', sourceId: 's-harbor', text: 'The harbor closes at dusk.', distance: 0.1 }],
    };
    await call('persona.save', { id: 'p-ada', name: 'Ada', description: 'A courier.' });
    await call('conversation.configure', {
      npcId: npc.id,
      conversationId: 'main',
      personaId: 'p-ada',
      authorsNote: { text: 'Stay terse.', depth: 0, role: 'system' },
    });
    const t = await call('chat.send', { npcId: npc.id, text: 'What about the guild?' });
    await replyDone(rig!, t.turnId);
    const received = lastChat(rig!);

    const view = await call('chat.prompt', { npcId: npc.id, turnId: 'm3' });
    expect(view.exact).toBe(true);
    expect(view.messages.map((m) => ({ role: m.role, content: m.text }))).toEqual(received.messages);
    for (const m of view.messages) expect(m.pieces.map((p) => p.text).join('')).toBe(m.text);
    const sources = view.messages.flatMap((m) => m.pieces.map((p) => p.source));
    expect(sources).toEqual(
      expect.arrayContaining([
        { kind: 'system' },
        { kind: 'card' },
        { kind: 'persona', personaId: 'p-ada', name: 'Ada' },
        { kind: 'lorebook', book: expect.any(String), entry: expect.any(String) },
        { kind: 'knowledge', source: 'harbor.md', sourceId: 's-harbor' },
        { kind: 'history', messageId: 'm1' },
        { kind: 'user', messageId: 'm2' },
        { kind: 'authors-note' },
      ]),
    );
    expect(view.tokensBySource.knowledge).toBeGreaterThan(0);
    expect(view.totalTokens).toBeGreaterThan(0);
    const body = JSON.parse(view.requestBody) as { model: string; messages: unknown; stream: boolean; options: Record<string, unknown> };
    expect(body).toMatchObject({ model: 'llama3.2', stream: true, messages: received.messages });
    await expect(call('chat.prompt', { npcId: npc.id, turnId: 'm2' })).rejects.toThrow(/your message/);
  });
});

describe('SillyTavern import and the demo model', () => {
  it('imports a SillyTavern chat as a new conversation that goes on like any other', async () => {
    const { npc, call } = await setUp();
    const text = [
      {
        user_name: 'You',
        character_name: 'Mira',
        create_date: '2024-3-5 @14h 02m 11s 123ms',
        chat_metadata: { note_prompt: 'Be brief.', note_depth: 1, note_role: 0 },
      },
      {
        name: 'Mira',
        is_user: false,
        send_date: '2024-3-5 @14h 02m 11s 123ms',
        mes: 'Hello there.',
        swipes: ['Hello there.', 'Well met.'],
        swipe_id: 0,
      },
      { name: 'You', is_user: true, send_date: '2024-3-5 @14h 03m 00s 000ms', mes: 'Any work?' },
      { name: 'Mira', is_user: false, is_system: true, mes: 'hidden' },
    ]
      .map((l) => JSON.stringify(l))
      .join('\n');
    const { conversation, report } = await call('conversation.importSillyTavern', { npcId: npc.id, fileName: 'Mira - old.jsonl', text });
    expect(conversation).toMatchObject({
      title: 'Mira - old',
      messageCount: 2,
      importedFrom: { format: 'sillytavern', fileName: 'Mira - old.jsonl' },
      authorsNote: { text: 'Be brief.', depth: 1 },
    });
    expect(report).toMatchObject({ messages: 2, alternatives: 1, skipped: [{ line: 4 }] });
    const history = await call('chat.history', { npcId: npc.id, conversationId: conversation.conversationId });
    expect(history.turns.map((t) => [t.text, t.alternatives.length])).toEqual([
      ['Hello there.', 2],
      ['Any work?', 1],
    ]);
    const t = await call('chat.send', { npcId: npc.id, conversationId: conversation.conversationId, text: 'And the guild?' });
    await replyDone(rig!, t.turnId);
    expect(lastChat(rig!).messages.map((m) => m.content)).toEqual(expect.arrayContaining(['Any work?', 'Be brief.', 'And the guild?']));
    await expect(
      call('conversation.importSillyTavern', { npcId: npc.id, fileName: 'x.jsonl', text: '{"mes":"no header"}' }),
    ).rejects.toThrow(/first line must be the chat metadata/);
  });

  it("the demo NPC's replies quote the lorebook entries that fired, and only those", async () => {
    const { call } = await setUp();
    const { demoNpcDraft, DEMO_SECRET } = await import('../../electron/host/demo/demo-npc');
    const demo = await rig!.npcs.save(demoNpcDraft());
    const t = await call('chat.send', { npcId: demo.id, text: 'Is the lighthouse still lit?' });
    await replyDone(rig!, t.turnId);
    const reply = (await call('chat.history', { npcId: demo.id })).turns.at(-1)!;
    expect(reply.text).toContain('As the lore says, "Old Wick has never gone dark in forty years."');
    expect(reply.text).not.toContain(DEMO_SECRET);
    expect(reply.lore!.entries.map((e) => e.content)).toEqual(['Lore: Old Wick has never gone dark in forty years.']);
  });
});
