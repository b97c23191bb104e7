import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { NpcDraft } from '../../shared/npc';
import type { BedrockClientProvider } from '../../electron/host/processors/hosted/bedrock-client-provider';
import { HostedProcessor } from '../../electron/host/processors/hosted/hosted-processor';
import type { Usage } from '../../shared/chat';
import { openFilePaths, socketsToPort } from '../../electron/host/resources/proc';
import { TrackedProcessor } from '../../electron/host/usage/tracked-processor';
import { UsageTracker } from '../../electron/host/usage/usage-tracker';
import { bedrockFor, MODEL, REGION } from '../processors/hosted/rig';
import { BedrockTestServer } from '../servers/bedrock/server';
import { replyTextFor, tokensOf, type ConverseTextRequest } from '../servers/bedrock/reply';
import { eventually } from '../support/leaks';
import { miraDraft, startChatRig, type ChatRig } from './rig';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

const PRICES = { [MODEL]: { inputPer1k: 0.25, outputPer1k: 1.25 } };

/** A hosted NPC whose prompt the Bedrock test server reads back: "You are <name>," and "- " lore lines. */
const MARA: NpcDraft = {
  studio: { processor: 'hosted', model: MODEL, sampling: { temperature: 0.5, maxTokens: 300 } },
  card: {
    name: 'Mara',
    system_prompt: 'You are {{char}}, the ferrywoman of the Grey River. Answer {{user}} briefly.',
    first_mes: 'The ferry leaves at dusk.',
    character_book: {
      extensions: {},
      entries: [{ keys: ['toll'], content: '- Tolls are paid in salt.', extensions: {}, enabled: true, insertion_order: 1 }],
    },
  },
};

let server: BedrockTestServer;
let bedrock: BedrockClientProvider;
let hosted: HostedProcessor;
let tracker: UsageTracker;
let rig: ChatRig;

beforeAll(async () => {
  server = await BedrockTestServer.start();
  const b = await bedrockFor(server);
  bedrock = b.provider;
  hosted = new HostedProcessor(bedrock, b.logger);
  rig = await startChatRig({
    // The composition root's wiring: both processors wrapped so every completed call is recorded.
    processorFor: (kind, local) => new TrackedProcessor(kind === 'hosted' ? hosted : local, tracker, b.logger),
  });
  tracker = new UsageTracker({ file: join(rig.dir, 'usage.jsonl'), prices: PRICES }, b.logger);
  await tracker.initialize();
});

beforeEach(() => server.reset());

afterAll(async () => {
  const ollamaPort = rig.server.port;
  // Shutdown order: processors, then clients (Bedrock, usage tracker), then stores; rig.close drains first.
  await hosted.cleanup();
  await Promise.all([bedrock.cleanup(), tracker.cleanup()]);
  await rig.close();
  await server.close();
  expect(
    await eventually(
      () => socketsToPort(server.port),
      (n) => n === 0,
    ),
  ).toBe(0);
  expect(
    await eventually(
      () => socketsToPort(ollamaPort),
      (n) => n === 0,
    ),
  ).toBe(0);
  expect(openFilePaths().filter((p) => p.startsWith(rig.dir))).toEqual([]);
});

async function usageLines(): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(tracker.file, 'utf8');
  return text.trim()
    ? text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>)
    : [];
}

describe('a hosted NPC through ChatService, on the real Bedrock SDK client', () => {
  it('runs a turn end to end: tokens in order, the reply saved with usage, and the call recorded by the usage tracker', async () => {
    const npc = await rig.npcs.save(MARA);
    const started = await rig.service.send(npc.id, 'What does the toll cost?');
    const outcome = await started.finished;
    expect(outcome.error).toBeUndefined();

    const sent = server.requests.at(-1)!;
    expect(sent).toMatchObject({ operation: 'converse-stream', modelId: MODEL, region: REGION, outcome: 'completed' });
    const body = sent.body as ConverseTextRequest & { inferenceConfig?: unknown };
    expect(body.inferenceConfig).toEqual({ temperature: 0.5, maxTokens: 300 });
    const expected = replyTextFor(body);
    expect(expected).toBe('Mara: you said "What does the toll cost?". I remember: "Tolls are paid in salt.".');
    expect(rig.events.tokens(started.turnId)).toEqual(tokensOf(expected));
    expect(outcome.text).toBe(expected);
    expect(rig.events.ends(started.turnId)).toMatchObject([{ kind: 'done', e: { interrupted: false, messageId: outcome.messageId } }]);

    const reply = (await rig.transcripts.view(rig.service.refOf(npc.id))).messages.at(-1)!;
    const usage = (reply.meta as { usage: Usage }).usage;
    expect(reply.meta).toMatchObject({ processor: 'hosted', model: MODEL });
    expect(usage).toEqual(outcome.usage);
    expect(usage.replyTokens).toBe(tokensOf(expected).length);

    const run = tracker.figures().run[MODEL]!;
    expect(run).toMatchObject({ calls: 1, inputTokens: usage.promptTokens, outputTokens: usage.replyTokens });
    expect(run.costUsd).toBeCloseTo((usage.promptTokens / 1000) * 0.25 + (usage.replyTokens / 1000) * 1.25, 8);
    expect((await usageLines()).map((l) => [l.npcId, l.processor, l.model, l.inputTokens, l.outputTokens])).toEqual([
      [npc.id, 'hosted', MODEL, usage.promptTokens, usage.replyTokens],
    ]);

    // A local NPC in the same studio is recorded too, at no cost.
    const local = await rig.npcs.save(miraDraft());
    const localOutcome = await (await rig.service.send(local.id, 'Hello.')).finished;
    expect(localOutcome.text).toContain('I am Mira Vell.');
    expect((await usageLines()).at(-1)).toMatchObject({
      npcId: local.id,
      processor: 'local',
      model: 'llama3.2:latest',
      costUsd: 0,
      outputTokens: localOutcome.usage!.replyTokens,
    });
  });

  it('stop closes the Bedrock connection, keeps the partial reply and records no usage', async () => {
    const npc = rig.npcs.list().find((n) => n.name === 'Mara')!;
    server.switches.tokenDelayMs = 20;
    server.switches.extraWords = 300;
    const recorded = (await usageLines()).length;
    const closedBefore = server.closedConnections;
    const started = await rig.service.send(npc.id, 'Tell me about the river.');
    await rig.events.untilTokens(started.turnId, 3);
    rig.service.stop(started.turnId);
    const outcome = await started.finished;
    expect(outcome.interrupted).toBe(true);
    expect(
      await eventually(
        () => server.requests.at(-1)!.outcome,
        (o) => o === 'client-closed',
      ),
    ).toBe('client-closed');
    expect(
      await eventually(
        () => server.closedConnections,
        (n) => n > closedBefore,
      ),
    ).toBeGreaterThan(closedBefore);
    const reply = (await rig.transcripts.view(rig.service.refOf(npc.id))).messages.at(-1)!;
    expect(reply).toMatchObject({ interrupted: true, text: rig.events.tokens(started.turnId).join('') });
    expect(reply.text.startsWith('Mara: you said')).toBe(true);
    expect(await usageLines()).toHaveLength(recorded);
  });

  it('access denied gives a chat error naming the model and region, and the transcript stays consistent', async () => {
    const npc = rig.npcs.list().find((n) => n.name === 'Mara')!;
    server.switches.accessDenied = true;
    const before = (await rig.transcripts.view(rig.service.refOf(npc.id))).messages.length;
    const started = await rig.service.send(npc.id, 'Can I cross?');
    const outcome = await started.finished;
    const ends = rig.events.ends(started.turnId);
    expect(ends).toMatchObject([{ kind: 'error', e: { error: { code: 'access-denied' } } }]);
    expect(outcome.error).toContain(MODEL);
    expect(outcome.error).toContain(REGION);
    const view = await rig.transcripts.view(rig.service.refOf(npc.id));
    expect(view.problems).toEqual([]);
    expect(view.messages.slice(before).map((m) => [m.role, m.text, m.interrupted])).toEqual([
      ['user', 'Can I cross?', false],
      ['assistant', '', true],
    ]);
  });
});
