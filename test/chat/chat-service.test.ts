import { piecesText } from '../../electron/host/npc/prompt/sent-prompt';
import { afterEach, describe, expect, it } from 'vitest';
import getPort from 'get-port';
import { ShuttingDownError } from '../../electron/host/engine/errors';
import { toHostError } from '../../electron/host/ipc/handlers/domain-errors';
import { toIpcError } from '../../electron/host/ipc/to-ipc-error';
import { ChatInputError, TurnBusyError } from '../../electron/host/npc/chat-errors';
import type { PromptUsed, SentPrompt, Usage } from '../../shared/chat';
import { TranscriptError } from '../../electron/host/npc/transcript-store-api';
import { LocalProcessor } from '../../electron/host/processors/local/local-processor';
import { OllamaClientProvider } from '../../electron/host/processors/local/ollama-client-provider';
import { openFilePaths, socketsToPort } from '../../electron/host/resources/proc';
import { replyText, tokenize } from '../../electron/host/demo/ollama';
import { eventually } from '../support/leaks';
import { miraDraft, startChatRig, type ChatRig } from './rig';

let rig: ChatRig | undefined;

/** What the renderer gets for an error a chat call threw (the router's mapping). */
const asIpc = (err: unknown) => toIpcError(toHostError(err));

/** Closes the rig and checks what it leaves behind: no socket to the server, no transcript file open. */
async function closeAndCheck(r: ChatRig): Promise<void> {
  const port = r.server.port;
  await r.close();
  expect(
    await eventually(
      () => socketsToPort(port),
      (n) => n === 0,
    ),
  ).toBe(0);
  expect(openFilePaths().filter((p) => p.startsWith(r.dir))).toEqual([]);
}

afterEach(async () => {
  if (rig) await closeAndCheck(rig);
  rig = undefined;
});

/** What the server was sent for the last chat: the reply it built from exactly that prompt. */
function lastChatRequest(r: ChatRig) {
  const request = [...r.server.requests].reverse().find((q) => q.path === '/api/chat')!;
  return request.body as { messages: { role: string; content: string }[]; options?: Record<string, unknown> };
}

describe('ChatService on the local processor, through the real ollama client', () => {
  it('streams a turn in order and saves the reply with usage and what the prompt used', async () => {
    rig = await startChatRig();
    const npc = await rig.npcs.save(miraDraft());
    const started = await rig.service.send(npc.id, 'What do you owe the guild?');
    const outcome = await started.finished;

    const sent = lastChatRequest(rig);
    const expected = tokenize(replyText(sent.messages));
    expect(rig.events.tokens(started.turnId)).toEqual(expected);
    expect(outcome).toMatchObject({ text: expected.join(''), interrupted: false });
    expect(outcome.text).toContain('I am Mira Vell.');
    expect(outcome.text).toContain('As the lore says, "Mira owes the guild forty crowns."');
    expect(outcome.text).not.toContain('dragon');
    // The greeting opened the conversation; the history sent is greeting, then the designer's message.
    expect(sent.messages.map((m) => m.role)).toEqual(['system', 'assistant', 'user']);
    expect(sent.messages[1]!.content).toBe('Welcome to my forge, Ada.');
    expect(rig.events.ends(started.turnId)).toEqual([
      {
        kind: 'done',
        e: {
          turnId: started.turnId,
          npcId: npc.id,
          conversationId: 'main',
          alternative: 0,
          interrupted: false,
          messageId: outcome.messageId,
        },
      },
    ]);

    const view = await rig.transcripts.view(rig.service.refOf(npc.id));
    expect(view.messages.map((m) => [m.id, m.role, m.interrupted])).toEqual([
      ['m1', 'assistant', false],
      ['m2', 'user', false],
      ['m3', 'assistant', false],
    ]);
    expect(view.messages[0]!.swipes.map((s) => s.text)).toEqual(['Welcome to my forge, Ada.', 'Back again, Ada?']);
    expect(started.userMessageId).toBe('m2');
    const reply = view.messages[2]!;
    expect(reply.id).toBe(outcome.messageId);
    expect(reply.text).toBe(outcome.text);
    const meta = reply.meta as { processor: string; model: string; usage: Usage; used: PromptUsed; sent: SentPrompt };
    expect(meta).toMatchObject({ processor: 'local', model: 'llama3.2' });
    expect(meta.usage).toEqual(outcome.usage);
    expect(meta.usage.replyTokens).toBe(expected.length);
    expect(meta.usage.promptTokens).toBe(sent.messages.reduce((n, m) => n + tokenize(m.content).length, 0));
    expect(meta.used.lore!.activated.map((e) => [e.content, e.trace.reason, e.trace.key])).toEqual([
      ['Lore: Mira owes the guild forty crowns.', 'key', 'guild'],
    ]);
    expect(meta.used.chunks).toEqual([]);
    expect(meta.used.tokens.lorebook).toBeGreaterThan(0);
    expect(meta.used.tokens.user).toBeGreaterThan(0);
    expect(meta.used.tokens.history).toBeGreaterThan(0);
    expect(meta.used.totalTokens).toBeLessThanOrEqual(meta.used.budget.available);
    // The pieces kept with the reply add up to exactly the system prompt that was sent.
    const system = meta.sent.messages[0]!;
    expect('pieces' in system && piecesText(system.pieces)).toBe(sent.messages[0]!.content);
    // The earlier history is the transcript itself: a reply never stores a copy of it.
    expect(JSON.stringify(reply.meta)).not.toContain('Welcome to my forge, Ada.');
    expect(rig.service.inProgress(npc.id)).toEqual([]);
  });

  it(
    'stop cancels the request upstream (the server sees the connection close within 100 ms) ' +
      'and keeps the partial reply, marked interrupted',
    async () => {
      rig = await startChatRig({ switches: { tokenDelayMs: 25, replyTokens: 400 } });
      const npc = await rig.npcs.save(miraDraft());
      const closed = rig.server.connections.nextClose();
      const started = await rig.service.send(npc.id, 'Tell me a long story.');
      await rig.events.untilTokens(started.turnId, 3);
      expect(rig.service.inProgress(npc.id)).toEqual([
        { turnId: started.turnId, alternative: 0, text: rig.events.tokens(started.turnId).join('') },
      ]);
      const stoppedAt = performance.now();
      expect(rig.service.stop(started.turnId)).toBe(true);
      const info = await closed;
      expect(info.closedAt! - stoppedAt).toBeLessThan(100);

      const outcome = await started.finished;
      const streamed = rig.events.tokens(started.turnId);
      expect(streamed.length).toBeGreaterThanOrEqual(3);
      expect(streamed.length).toBeLessThan(400);
      expect(outcome).toMatchObject({ interrupted: true, text: streamed.join('') });
      expect(rig.events.ends(started.turnId)).toMatchObject([{ kind: 'done', e: { interrupted: true, messageId: outcome.messageId } }]);
      const reply = (await rig.transcripts.view(rig.service.refOf(npc.id))).messages.at(-1)!;
      expect(reply).toMatchObject({ id: outcome.messageId, role: 'assistant', text: streamed.join(''), interrupted: true });
      expect(reply.meta).toMatchObject({ interruptedBy: 'stopped by the user' });
      expect(reply.meta).not.toHaveProperty('usage');
      expect(rig.service.stop(started.turnId)).toBe(false);
      expect(rig.client.inFlightStreams).toBe(0);
    },
  );

  it(
    'the engine drain at shutdown aborts a slow turn and the partial reply is saved before the drain returns; ' +
      'new turns get ShuttingDown',
    async () => {
      rig = await startChatRig({ switches: { tokenDelayMs: 40, replyTokens: 400 } });
      const npc = await rig.npcs.save(miraDraft());
      const started = await rig.service.send(npc.id, 'Keep talking.');
      let settled = false;
      void started.finished.then(() => (settled = true));
      await rig.events.untilTokens(started.turnId, 2);

      rig.engine.stopAccepting();
      const closed = rig.server.connections.nextClose();
      const drained = await rig.engine.drain(50);
      expect(drained).toMatchObject({ completed: 0, aborted: 1, abandoned: 0 });
      expect(settled).toBe(true);
      // Read from the file itself, through a second store: the reply reached the disk before the drain returned.
      const { TranscriptStore } = await import('../../electron/host/npc/transcript-store');
      const reader = new TranscriptStore({ dir: rig.transcripts.dir, logger: rig.logs.logger });
      await reader.initialize();
      const onDisk = (await reader.view(rig.service.refOf(npc.id))).messages.at(-1)!;
      await reader.cleanup();
      const streamed = rig.events.tokens(started.turnId).join('');
      expect(streamed.length).toBeGreaterThan(0);
      expect(onDisk).toMatchObject({ role: 'assistant', text: streamed, interrupted: true });
      expect(onDisk.meta).toMatchObject({ interruptedBy: expect.stringContaining('shutdown drain deadline') });
      await closed;

      const before = (await rig.transcripts.view(rig.service.refOf(npc.id))).messages.length;
      await expect(rig.service.send(npc.id, 'Still there?')).rejects.toBeInstanceOf(ShuttingDownError);
      await expect(rig.service.send(npc.id, 'Still there?')).rejects.toMatchObject({ code: 'ShuttingDown' });
      expect((await rig.transcripts.view(rig.service.refOf(npc.id))).messages).toHaveLength(before);
      expect(rig.events.all.filter((x) => x.kind === 'error')).toEqual([]);
    },
  );

  it('regenerate keeps the earlier replies as swipes, answering the same message without the old reply in the prompt', async () => {
    rig = await startChatRig();
    const npc = await rig.npcs.save(miraDraft());
    const first = await rig.service.send(npc.id, 'Any news of the dragon?');
    const a = await first.finished;
    rig.server.set({ replyTokens: 30 });
    const again = await rig.service.regenerate(npc.id, a.messageId);
    expect(again.alternative).toBe(1);
    const b = await again.finished;
    expect(b.messageId).toBe(a.messageId);
    expect(b.text).not.toBe(a.text);
    expect(rig.events.ends(again.turnId)).toMatchObject([{ kind: 'done', e: { alternative: 1, messageId: a.messageId } }]);
    expect(rig.events.all.filter((x) => x.kind === 'token' && x.e.turnId === again.turnId).every((x) => x.e.alternative === 1)).toBe(true);
    const sent = lastChatRequest(rig);
    expect(sent.messages.map((m) => m.role)).toEqual(['system', 'assistant', 'user']);
    expect(sent.messages.at(-1)!.content).toBe('Any news of the dragon?');

    const third = await (await rig.service.regenerate(npc.id, a.messageId)).finished;
    const reply = (await rig.transcripts.view(rig.service.refOf(npc.id))).messages.at(-1)!;
    expect(reply.swipes.map((s) => s.text)).toEqual([a.text, b.text, third.text]);
    expect(reply).toMatchObject({ id: a.messageId, chosen: 2, text: third.text });
    expect((reply.swipes[1]!.meta as { usage: Usage }).usage.replyTokens).toBe(30);

    await expect(rig.service.regenerate(npc.id, 'm2')).rejects.toThrow(/m2 is not a reply of Mira Vell/);
    await expect(rig.service.regenerate(npc.id, 'm1')).rejects.toThrow(/only the last reply can be regenerated/);
    await expect(rig.service.regenerate(npc.id, 'm99')).rejects.toBeInstanceOf(TranscriptError);
  });

  it('one reply streams per NPC: a second send while it streams is refused and writes nothing', async () => {
    rig = await startChatRig({ switches: { tokenDelayMs: 20, replyTokens: 200 } });
    const npc = await rig.npcs.save(miraDraft());
    const started = await rig.service.send(npc.id, 'First.');
    const refused = await rig.service.send(npc.id, 'Second.').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(TurnBusyError);
    expect(asIpc(refused)).toEqual({
      code: 'Busy',
      message: `a reply is still streaming (turn ${started.turnId}); stop it or wait for it to finish`,
    });
    rig.service.stop(started.turnId);
    await started.finished;
    const texts = (await rig.transcripts.view(rig.service.refOf(npc.id))).messages.map((m) => m.text);
    expect(texts.filter((t) => t === 'Second.')).toEqual([]);
    const next = await rig.service.send(npc.id, 'Second.');
    rig.service.stop(next.turnId);
    await next.finished;
  });

  it(
    'a missing model gives a chat error event with the clear message; ' + 'the transcript keeps the question and the failed reply',
    async () => {
      rig = await startChatRig({ switches: { modelNotFound: true } });
      const npc = await rig.npcs.save(miraDraft());
      const started = await rig.service.send(npc.id, 'Hello?');
      const outcome = await started.finished;
      const ends = rig.events.ends(started.turnId);
      expect(ends).toHaveLength(1);
      expect(ends[0]!.kind).toBe('error');
      const error = (ends[0]!.e as { error: Error }).error;
      expect(error.name).toBe('ModelMissingError');
      expect(error.message).toBe(`The model "llama3.2" is not installed in Ollama at ${rig.server.url}. Run \`ollama pull llama3.2\`.`);
      expect(outcome).toMatchObject({ text: '', interrupted: true, error: error.message });
      const view = await rig.transcripts.view(rig.service.refOf(npc.id));
      expect(view.problems).toEqual([]);
      expect(view.messages.map((m) => [m.role, m.text, m.interrupted])).toEqual([
        ['assistant', 'Welcome to my forge, Ada.', false],
        ['user', 'Hello?', false],
        ['assistant', '', true],
      ]);
      expect(view.messages[2]!.meta).toMatchObject({ error: error.message });

      // Regenerating the failed reply: a failed attempt adds no empty swipe; once the model is there, it answers.
      const failedAgain = await (await rig.service.regenerate(npc.id, outcome.messageId)).finished;
      expect(failedAgain.error).toContain('ollama pull llama3.2');
      expect((await rig.transcripts.view(rig.service.refOf(npc.id))).messages.at(-1)!.swipes).toHaveLength(1);
      rig.server.set({ modelNotFound: false });
      const fixed = await (await rig.service.regenerate(npc.id, outcome.messageId)).finished;
      expect(fixed.text).toContain('You said: "Hello?"');
      const reply = (await rig.transcripts.view(rig.service.refOf(npc.id))).messages.at(-1)!;
      expect(reply.swipes.map((s) => [s.text, s.interrupted])).toEqual([
        ['', true],
        [fixed.text, false],
      ]);
      expect(reply.chosen).toBe(1);
    },
  );

  it('a connection reset mid-reply keeps the partial text with the error, and the next turn works', async () => {
    rig = await startChatRig({ switches: { resetAfterTokens: 4, replyTokens: 50 } });
    const npc = await rig.npcs.save(miraDraft());
    const started = await rig.service.send(npc.id, 'Go on.');
    const outcome = await started.finished;
    expect(rig.events.tokens(started.turnId)).toHaveLength(4);
    expect(outcome.error).toMatch(/dropped the connection mid-reply/);
    const reply = (await rig.transcripts.view(rig.service.refOf(npc.id))).messages.at(-1)!;
    expect(reply).toMatchObject({ text: rig.events.tokens(started.turnId).join(''), interrupted: true, meta: { error: outcome.error } });
    rig.server.set({ resetAfterTokens: null });
    const next = await (await rig.service.send(npc.id, 'Again.')).finished;
    expect(next).toMatchObject({ interrupted: false });
    // The partial reply is part of the history the model sees next.
    expect(lastChatRequest(rig).messages.map((m) => m.content)).toContain(outcome.text);
  });

  it('an unreachable Ollama gives the error naming the URL and how to start it', async () => {
    const deadPort = await getPort({ host: '127.0.0.1' });
    const dead = new OllamaClientProvider({ url: `http://127.0.0.1:${deadPort}` });
    await dead.initialize();
    const processor = new LocalProcessor({ client: dead });
    rig = await startChatRig({ processorFor: () => processor });
    const npc = await rig.npcs.save(miraDraft());
    const started = await rig.service.send(npc.id, 'Anyone?');
    const outcome = await started.finished;
    expect(outcome.error).toBe(
      `Ollama is not reachable at http://127.0.0.1:${deadPort} (ECONNREFUSED). ` +
        'Start Ollama with `ollama serve`, or check the Ollama URL in settings.',
    );
    expect(rig.events.ends(started.turnId)).toMatchObject([{ kind: 'error', e: { error: { name: 'OllamaUnreachableError' } } }]);
    expect(rig.logs.ring.messages().some((m) => m.includes(`Chat turn for ${npc.id} failed: Ollama is not reachable`))).toBe(true);
    await processor.cleanup();
    await dead.cleanup();
    expect(socketsToPort(deadPort)).toBe(0);
  });

  it('a processor that is not available fails the turn with its own message, and an unknown NPC is refused up front', async () => {
    rig = await startChatRig();
    const hosted = await rig.npcs.save(
      miraDraft({ studio: { processor: 'hosted', model: 'anthropic.claude-3-haiku-20240307-v1:0', sampling: {} } }),
    );
    const outcome = await (await rig.service.send(hosted.id, 'Hi.')).finished;
    expect(outcome.error).toBe('no hosted processor in this rig');
    await expect(rig.service.send('nobody', 'Hi.')).rejects.toThrow('no NPC with id "nobody"');
    const empty = await rig.service.send(hosted.id, '  ').catch((err: unknown) => err);
    expect(empty).toBeInstanceOf(ChatInputError);
    expect(asIpc(empty)).toEqual({
      code: 'ValidationError',
      message: 'the message is empty; say something',
      issues: [{ path: 'text', message: 'the message is empty; say something' }],
    });
    // A turn that cannot be prepared (the transcript store is closed) is refused, emits nothing, and leaves no turn behind.
    const npc = await rig.npcs.save(miraDraft());
    const eventsBefore = rig.events.all.length;
    await rig.transcripts.cleanup();
    await expect(rig.service.send(npc.id, 'Hi.')).rejects.toThrow('the transcript store is not open');
    expect(rig.events.all.length).toBe(eventsBefore);
    expect(rig.service.inProgress(npc.id)).toEqual([]);
    expect(rig.engine.inFlightCount).toBe(0);
  });
});
