import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { memoryLogger } from '../../electron/host/log/logger';
import { HostedProcessor } from '../../electron/host/processors/hosted/hosted-processor';
import type { Usage } from '../../shared/chat';
import { socketsToPort } from '../../electron/host/resources/proc';
import { TrackedProcessor } from '../../electron/host/usage/tracked-processor';
import { UsageTracker } from '../../electron/host/usage/usage-tracker';
import { eventually } from '../support/leaks';
import { tempDir } from '../support/temp-dir';
import { BedrockTestServer } from '../servers/bedrock/server';
import { bedrockFor, collect, MODEL, npcRequest } from '../processors/hosted/rig';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

const PRICES = { [MODEL]: { inputPer1k: 0.25, outputPer1k: 1.25 } };

let server: BedrockTestServer;
let folder: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  server = await BedrockTestServer.start();
});
afterAll(() => server.close());
beforeEach(async () => {
  server.reset();
  folder = await tempDir();
});
afterEach(() => folder.remove());

/** The studio's hosted path for one run: Bedrock client, hosted processor, usage tracker, closed in step order. */
async function studioRun(file: string) {
  const { provider: bedrock, logger } = await bedrockFor(server);
  const tracker = new UsageTracker({ file, prices: PRICES }, logger);
  await tracker.initialize();
  const hosted = new HostedProcessor(bedrock, logger);
  const processor = new TrackedProcessor(hosted, tracker, logger);
  const close = async () => {
    await hosted.cleanup();
    await Promise.all([bedrock.cleanup(), tracker.cleanup()]);
  };
  return { bedrock, tracker, processor, close };
}

async function chatUsage(processor: TrackedProcessor, content: string): Promise<Usage> {
  const { events } = await collect(processor.chat(npcRequest({ messages: [{ role: 'user', content }] }), new AbortController().signal));
  const done = events.at(-1)!;
  if (done.type !== 'done') throw new Error('no done event');
  return done.usage;
}

describe('hosted usage, end to end over the real SDK client', () => {
  it('records each hosted call, persists it, and aggregates it again after a restart', async () => {
    const file = join(folder.path, 'usage.jsonl');
    const run1 = await studioRun(file);
    const a = await chatUsage(run1.processor, 'Who are you?');
    const b = await chatUsage(run1.processor, 'What do the tolls cost, ferrywoman?');
    const cost = (u: Usage) => (u.promptTokens / 1000) * 0.25 + (u.replyTokens / 1000) * 1.25;

    const health = await run1.tracker.healthCheck();
    expect(health.resources).toMatchObject({ callsToday: 2, tokensToday: a.promptTokens + a.replyTokens + b.promptTokens + b.replyTokens });
    const today = run1.tracker.figures().today;
    expect(today[MODEL]).toMatchObject({ calls: 2, inputTokens: a.promptTokens + b.promptTokens });
    expect(today[MODEL]!.costUsd).toBeCloseTo(cost(a) + cost(b), 8);
    const lines = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.npcId, l.processor, l.model, l.inputTokens, l.outputTokens])).toEqual([
      ['mara', 'hosted', MODEL, a.promptTokens, a.replyTokens],
      ['mara', 'hosted', MODEL, b.promptTokens, b.replyTokens],
    ]);
    await run1.close();
    expect(
      await eventually(
        () => socketsToPort(server.port),
        (n) => n === 0,
      ),
    ).toBe(0);

    const run2 = await studioRun(file);
    const figures = run2.tracker.figures();
    expect(figures.run).toEqual({});
    expect(figures.allTime[MODEL]).toMatchObject({ calls: 2, outputTokens: a.replyTokens + b.replyTokens });
    await chatUsage(run2.processor, 'Again?');
    expect(run2.tracker.figures().run[MODEL]?.calls).toBe(1);
    expect(run2.tracker.figures().allTime[MODEL]?.calls).toBe(3);
    await run2.close();
  });

  it('records nothing for a call that failed, and a stopped call leaves no record either', async () => {
    const file = join(folder.path, 'usage.jsonl');
    const run = await studioRun(file);
    server.switches.accessDenied = true;
    await expect(chatUsage(run.processor, 'Hello?')).rejects.toMatchObject({ code: 'access-denied' });
    server.switches.accessDenied = false;
    const controller = new AbortController();
    server.switches.tokenDelayMs = 5;
    server.switches.extraWords = 200;
    const stopped = (async () => {
      for await (const event of run.processor.chat(npcRequest(), controller.signal)) if (event.type === 'token') controller.abort();
    })();
    await expect(stopped).rejects.toMatchObject({ name: 'AbortError' });
    expect(run.tracker.figures().run).toEqual({});
    expect(await readFile(file, 'utf8')).toBe('');
    await run.close();
  });

  it('a failed usage write is logged and the chat still completes', async () => {
    const file = join(folder.path, 'usage.jsonl');
    const run = await studioRun(file);
    await run.tracker.cleanup();
    const { logger, ring } = memoryLogger();
    const processor = new TrackedProcessor(new HostedProcessor(run.bedrock, logger), run.tracker, logger);
    const { text } = await collect(processor.chat(npcRequest(), new AbortController().signal));
    expect(text).toContain('Mara');
    expect(ring.messages()).toContain('WARN Usage record not written');
    await run.close();
  });
});
