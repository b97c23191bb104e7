import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Agent } from 'node:http';
import {
  AccessDeniedException,
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  ModelStreamErrorException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { BedrockTestServer } from './server';
import { replyTextFor, tokensOf } from './reply';

// The server's own contract, checked through the bare SDK client: the wire format must be what the SDK parses.

const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const SYSTEM = 'You are Mara, the ferrywoman.\nLore:\n- The river freezes every tenth winter.\n- Tolls are paid in salt.';
const request = {
  modelId: MODEL,
  system: [{ text: SYSTEM }],
  messages: [{ role: 'user' as const, content: [{ text: 'Who are you?' }] }],
};

let server: BedrockTestServer;
let agent: Agent;
let client: BedrockRuntimeClient;

beforeAll(async () => {
  server = await BedrockTestServer.start();
  agent = new Agent({ keepAlive: true });
  client = new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: server.endpoint,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    requestHandler: new NodeHttpHandler({ httpAgent: agent }),
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client.destroy();
  agent.destroy();
  await server.close();
});

beforeEach(() => server.reset());

describe('Bedrock test server', () => {
  it('streams the conventional reply as event-stream frames the SDK decodes', async () => {
    const out = await client.send(new ConverseStreamCommand(request));
    const kinds: string[] = [];
    let text = '';
    let usage: { inputTokens?: number; outputTokens?: number } | undefined;
    for await (const event of out.stream!) {
      kinds.push(Object.keys(event).find((k) => k !== '$unknown')!);
      if (event.contentBlockDelta?.delta?.text) text += event.contentBlockDelta.delta.text;
      if (event.metadata) usage = event.metadata.usage;
    }
    const expected = replyTextFor(request);
    expect(text).toBe(expected);
    expect(text).toContain('Mara: you said "Who are you?"');
    expect(text).toContain('"Tolls are paid in salt."');
    const tokens = tokensOf(expected);
    expect(kinds).toEqual(['messageStart', ...tokens.map(() => 'contentBlockDelta'), 'contentBlockStop', 'messageStop', 'metadata']);
    expect(usage?.outputTokens).toBe(tokens.length);
    expect(usage?.inputTokens).toBe(SYSTEM.split(/\s+/).length + 3);
    expect(server.requests[0]).toMatchObject({
      operation: 'converse-stream',
      modelId: MODEL,
      region: 'us-east-1',
      service: 'bedrock',
      outcome: 'completed',
    });
  });

  it('answers Converse with JSON', async () => {
    const out = await client.send(new ConverseCommand(request));
    expect(out.output?.message?.content?.[0]?.text).toBe(replyTextFor(request));
    expect(out.stopReason).toBe('end_turn');
    expect(out.usage?.totalTokens).toBe((out.usage?.inputTokens ?? 0) + (out.usage?.outputTokens ?? 0));
  });

  it('maps its error switches to the SDK exception classes', async () => {
    server.switches.accessDenied = [MODEL];
    await expect(client.send(new ConverseCommand(request))).rejects.toBeInstanceOf(AccessDeniedException);
    server.switches.accessDenied = false;
    server.switches.throttleNext = 1;
    await expect(client.send(new ConverseCommand(request))).rejects.toBeInstanceOf(ThrottlingException);
    await expect(client.send(new ConverseCommand(request))).resolves.toBeTruthy();
    await expect(
      client.send(new ConverseCommand({ ...request, messages: [{ role: 'assistant', content: [{ text: 'hi' }] }] })),
    ).rejects.toBeInstanceOf(ValidationException);
  });

  it('sends a modelled exception event mid-stream', async () => {
    server.switches.exceptionAfterTokens = 2;
    const out = await client.send(new ConverseStreamCommand(request));
    let text = '';
    const consume = async () => {
      for await (const event of out.stream!) text += event.contentBlockDelta?.delta?.text ?? '';
    };
    await expect(consume()).rejects.toBeInstanceOf(ModelStreamErrorException);
    expect(text).toBe(tokensOf(replyTextFor(request)).slice(0, 2).join(''));
    expect(server.requests[0]?.outcome).toBe('stream-exception');
  });

  it('hangs when told to, and counts the open connection until the client gives up', async () => {
    server.switches.hang = true;
    const controller = new AbortController();
    const call = client.send(new ConverseCommand(request), { abortSignal: controller.signal });
    while (server.requestCount === 0) await new Promise((r) => setTimeout(r, 10));
    expect(server.openConnections()).toBeGreaterThanOrEqual(1);
    const closedBefore = server.closedConnections;
    controller.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    while (server.closedConnections === closedBefore) await new Promise((r) => setTimeout(r, 10));
    expect(server.requests[0]?.outcome).toBe('client-closed');
  });
});
