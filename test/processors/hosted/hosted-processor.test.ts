import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BedrockClientProvider } from '../../../electron/host/processors/hosted/bedrock-client-provider';
import { BedrockError } from '../../../electron/host/processors/hosted/bedrock-error';
import { OPENING_USER_TURN, toConverseInput } from '../../../electron/host/processors/hosted/converse-mapping';
import { HostedProcessor } from '../../../electron/host/processors/hosted/hosted-processor';
import type { ChatEvent } from '../../../electron/host/processors/processor';
import { eventually } from '../../support/leaks';
import { inputTokensOf, replyTextFor, tokensOf } from '../../servers/bedrock/reply';
import { BedrockTestServer } from '../../servers/bedrock/server';
import { bedrockFor, collect, MODEL, npcRequest } from './rig';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

let server: BedrockTestServer;
let bedrock: BedrockClientProvider;
let processor: HostedProcessor;

beforeAll(async () => {
  server = await BedrockTestServer.start();
});
afterAll(() => server.close());
beforeEach(async () => {
  server.reset();
  const rig = await bedrockFor(server);
  bedrock = rig.provider;
  processor = new HostedProcessor(bedrock, rig.logger);
});
afterEach(async () => {
  await processor.cleanup();
  await bedrock.cleanup();
});

/** Reads `n` token events, then hands back the iterator so the test can decide what happens next. */
async function readTokens(events: AsyncIterator<ChatEvent>, n: number): Promise<string[]> {
  const seen: string[] = [];
  while (seen.length < n) {
    const next = await events.next();
    if (next.done) throw new Error('stream ended early');
    if (next.value.type === 'token') seen.push(next.value.text);
  }
  return seen;
}

describe('HostedProcessor', () => {
  it('streams the reply as tokens, then done with usage from the stream metadata', async () => {
    const request = npcRequest({ sampling: { temperature: 0.4, topP: 0.9, maxTokens: 256, numCtx: 8192, keepAlive: '5m' } });
    const { text, events } = await collect(processor.chat(request, new AbortController().signal));
    const sent = server.requests[0]!.body as Parameters<typeof replyTextFor>[0];
    const expected = replyTextFor(sent);
    expect(text).toBe(expected);
    expect(text).toBe('Mara: you said "Who are you?". I remember: "The river freezes every tenth winter."; "Tolls are paid in salt.".');
    expect(events.filter((e) => e.type === 'token').map((e) => (e as { text: string }).text)).toEqual(tokensOf(expected));
    const done = events.at(-1)!;
    expect(done.type).toBe('done');
    if (done.type !== 'done') return;
    expect(done.model).toBe(MODEL);
    expect(done.stopReason).toBe('end_turn');
    expect(done.usage.promptTokens).toBe(inputTokensOf(sent));
    expect(done.usage.replyTokens).toBe(tokensOf(expected).length);
    expect(done.usage.totalDurationMs).toBeTypeOf('number');
    expect(done.usage.latencyMs).toBeGreaterThanOrEqual(done.usage.totalDurationMs!);
    // Sampling went to inferenceConfig; the Ollama-only settings did not.
    expect(server.requests[0]!.body).toMatchObject({ inferenceConfig: { temperature: 0.4, topP: 0.9, maxTokens: 256 } });
    expect(JSON.stringify(server.requests[0]!.body)).not.toContain('8192');
  });

  it('sends a greeting-first, uneven history in the shape Bedrock accepts', async () => {
    const request = npcRequest({
      messages: [
        { role: 'assistant', content: 'Fare, traveller?' },
        { role: 'user', content: 'Yes.' },
        { role: 'user', content: 'How much?' },
        { role: 'system', content: 'Stay in character.' },
        { role: 'assistant', content: 'One measure of salt.' },
        { role: 'user', content: '   ' },
        { role: 'user', content: 'Deal.' },
      ],
    });
    const { text } = await collect(processor.chat(request, new AbortController().signal));
    expect(text).toContain('you said "Deal."');
    const body = server.requests[0]!.body as { messages: { role: string; content: { text: string }[] }[]; system: { text: string }[] };
    expect(body.messages.map((m) => [m.role, m.content[0]!.text])).toEqual([
      ['user', OPENING_USER_TURN],
      ['assistant', 'Fare, traveller?'],
      ['user', 'Yes.\n\nHow much?'],
      ['assistant', 'One measure of salt.'],
      ['user', 'Deal.'],
    ]);
    expect(body.system[0]!.text).toBe(`${npcRequest().system}\n\nStay in character.`);
  });

  it('refuses bad input before any network call, with a clear reason', async () => {
    const bad = [
      npcRequest({ sampling: { temperature: 1.5 } }),
      npcRequest({ messages: [{ role: 'assistant', content: 'Hello.' }] }),
      npcRequest({ model: ' ' }),
      npcRequest({ sampling: { maxTokens: 0 } }),
    ];
    const messages: string[] = [];
    for (const request of bad) {
      const err = await collect(processor.chat(request, new AbortController().signal)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BedrockError);
      expect((err as BedrockError).code).toBe('validation');
      messages.push((err as Error).message);
    }
    expect(messages).toEqual([
      "Cannot send this chat to Bedrock: temperature 1.5 is outside Bedrock's range 0 to 1",
      'Cannot send this chat to Bedrock: the conversation has no user message',
      'Cannot send this chat to Bedrock: no model id is set for this NPC',
      'Cannot send this chat to Bedrock: max tokens 0 must be a whole number of at least 1',
    ]);
    expect(server.requestCount).toBe(0);
  });

  it('stop: aborting the signal cancels the HTTP request and the server sees the connection close', async () => {
    server.switches.tokenDelayMs = 5;
    server.switches.extraWords = 400;
    const controller = new AbortController();
    const events = processor.chat(npcRequest(), controller.signal)[Symbol.asyncIterator]();
    await readTokens(events, 3);
    const closedBefore = server.closedConnections;
    controller.abort();
    await expect(readTokens(events, 1000)).rejects.toMatchObject({ name: 'AbortError' });
    expect(
      await eventually(
        () => server.requests[0]!.outcome,
        (o) => o === 'client-closed',
      ),
    ).toBe('client-closed');
    expect(
      await eventually(
        () => server.closedConnections,
        (n) => n > closedBefore,
      ),
    ).toBeGreaterThan(closedBefore);
    expect(bedrock.inFlightCount).toBe(0);
    expect(bedrock.openSockets()).toBe(0);
  });

  it('a consumer that stops reading early does not leave the request open', async () => {
    server.switches.tokenDelayMs = 5;
    server.switches.extraWords = 400;
    for await (const event of processor.chat(npcRequest(), new AbortController().signal)) {
      if (event.type === 'token') break;
    }
    expect(
      await eventually(
        () => server.requests[0]!.outcome,
        (o) => o === 'client-closed',
      ),
    ).toBe('client-closed');
    expect(bedrock.inFlightCount).toBe(0);
  });

  it('an exception event mid-stream ends the chat with a clear error after the tokens already sent', async () => {
    server.switches.exceptionAfterTokens = 3;
    const seen: string[] = [];
    const err = await (async () => {
      for await (const event of processor.chat(npcRequest(), new AbortController().signal))
        if (event.type === 'token') seen.push(event.text);
    })().catch((e: unknown) => e);
    expect(seen).toHaveLength(3);
    expect(err).toBeInstanceOf(BedrockError);
    expect((err as BedrockError).code).toBe('model-error');
    expect((err as Error).message).toContain('The model stream failed mid-reply.');
  });

  it('close aborts chats in flight, is idempotent, and refuses new chats', async () => {
    server.switches.tokenDelayMs = 5;
    server.switches.extraWords = 400;
    const events = processor.chat(npcRequest(), new AbortController().signal)[Symbol.asyncIterator]();
    await readTokens(events, 2);
    expect((await processor.healthCheck()).resources.inFlight).toBe(1);
    const first = processor.cleanup();
    expect(processor.cleanup()).toBe(first);
    await first;
    await expect(readTokens(events, 1000)).rejects.toMatchObject({ name: 'AbortError' });
    expect(
      await eventually(
        () => server.requests[0]!.outcome,
        (o) => o === 'client-closed',
      ),
    ).toBe('client-closed');
    const health = await processor.healthCheck();
    expect(health.status).toBe('stopped');
    expect(health.resources.inFlight).toBe(0);
    const err = await collect(processor.chat(npcRequest(), new AbortController().signal)).catch((e: unknown) => e);
    expect((err as BedrockError).code).toBe('closed');
  });
});

describe('toConverseInput', () => {
  it('leaves out inferenceConfig and system when there is nothing to send', () => {
    const input = toConverseInput(npcRequest({ system: '  ' }));
    expect(input).toEqual({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'Who are you?' }] }] });
  });
});
