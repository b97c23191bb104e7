import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { memoryLogger } from '../../electron/host/log/logger';
import { openFilePaths } from '../../electron/host/resources/proc';
import type { UsageFigures } from '../../electron/host/usage/usage-aggregates';
import { UsageTracker, type UsageCall } from '../../electron/host/usage/usage-tracker';
import { tempDir } from '../support/temp-dir';

const HOSTED = 'anthropic.claude-3-haiku-20240307-v1:0';
const PRICES = { [HOSTED]: { inputPer1k: 0.25, outputPer1k: 1.25 } };

const hostedCall = (over: Partial<UsageCall> = {}): UsageCall => ({
  npcId: 'mara',
  processor: 'hosted',
  model: HOSTED,
  inputTokens: 2000,
  outputTokens: 400,
  latencyMs: 800,
  ...over,
});
const localCall: UsageCall = {
  npcId: 'bren',
  processor: 'local',
  model: 'llama3.2:3b',
  inputTokens: 900,
  outputTokens: 100,
  latencyMs: 1500,
};

let folder: Awaited<ReturnType<typeof tempDir>>;
let file: string;
const trackers: UsageTracker[] = [];

beforeEach(async () => {
  folder = await tempDir();
  file = join(folder.path, 'user-data', 'usage.jsonl');
});
afterEach(async () => {
  await Promise.all(trackers.splice(0).map((t) => t.cleanup()));
  await folder.remove();
});

async function open(now: string, prices: Record<string, { inputPer1k: number; outputPer1k: number }> = PRICES) {
  const sinks = memoryLogger();
  const tracker = new UsageTracker({ file, prices, now: () => new Date(now) }, sinks.logger);
  trackers.push(tracker);
  await tracker.initialize();
  return { tracker, ...sinks };
}

function calls(figures: UsageFigures, period: keyof UsageFigures): Record<string, number> {
  return Object.fromEntries(Object.entries(figures[period]).map(([model, row]) => [model, row.calls]));
}

describe('UsageTracker', () => {
  it('writes one fsynced journal line per call, with the estimated cost', async () => {
    const { tracker } = await open('2025-03-09T10:00:00');
    const hosted = await tracker.record(hostedCall());
    await tracker.record(localCall);
    await tracker.record(hostedCall({ model: 'meta.llama3-70b-instruct-v1:0' }));
    // 2000/1000 * 0.25 + 400/1000 * 1.25
    expect(hosted.costUsd).toBe(1);
    const lines = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toEqual({ ...hostedCall(), time: new Date('2025-03-09T10:00:00').toISOString(), costUsd: 1 });
    expect(lines[1]).toMatchObject({ processor: 'local', costUsd: 0 });
    expect(lines[2]).toMatchObject({ model: 'meta.llama3-70b-instruct-v1:0', costUsd: null });
    const { run } = tracker.figures();
    expect(run[HOSTED]).toMatchObject({
      processor: 'hosted',
      calls: 1,
      inputTokens: 2000,
      outputTokens: 400,
      costUsd: 1,
      meanLatencyMs: 800,
    });
    expect(run['llama3.2:3b']).toMatchObject({ processor: 'local', calls: 1, costUsd: 0, unpricedCalls: 0 });
    expect(run['meta.llama3-70b-instruct-v1:0']).toMatchObject({ calls: 1, costUsd: 0, unpricedCalls: 1 });
  });

  it('aggregates per model for today, this run and all time across a reopen', async () => {
    const first = await open('2025-03-09T23:30:00');
    await first.tracker.record(hostedCall());
    await first.tracker.record(localCall);
    await first.tracker.cleanup();

    const sameDay = await open('2025-03-09T23:45:00');
    await sameDay.tracker.record(hostedCall({ inputTokens: 1000, outputTokens: 200, latencyMs: 400 }));
    let figures = sameDay.tracker.figures();
    expect(calls(figures, 'today')).toEqual({ [HOSTED]: 2, 'llama3.2:3b': 1 });
    expect(calls(figures, 'run')).toEqual({ [HOSTED]: 1 });
    expect(figures.allTime[HOSTED]).toMatchObject({ calls: 2, inputTokens: 3000, outputTokens: 600, costUsd: 1.5, meanLatencyMs: 600 });
    await sameDay.tracker.cleanup();

    const nextDay = await open('2025-03-10T08:00:00');
    figures = nextDay.tracker.figures();
    expect(figures.today).toEqual({});
    expect(figures.run).toEqual({});
    expect(calls(figures, 'allTime')).toEqual({ [HOSTED]: 2, 'llama3.2:3b': 1 });
    await nextDay.tracker.record(localCall);
    expect(calls(nextDay.tracker.figures(), 'today')).toEqual({ 'llama3.2:3b': 1 });
  });

  it('drops a torn last record on open, reports it, and keeps appending cleanly', async () => {
    const first = await open('2025-03-09T10:00:00');
    await first.tracker.record(hostedCall());
    await first.tracker.record(localCall);
    await first.tracker.cleanup();
    await appendFile(file, '{"time":"2025-03-09T10:05:00.000Z","npcId":"ma');

    const second = await open('2025-03-09T11:00:00');
    expect(second.tracker.problemsOnOpen).toEqual([expect.objectContaining({ line: 3, dropped: true })]);
    expect(second.ring.messages().some((m) => m.includes('torn last record dropped'))).toBe(true);
    expect(calls(second.tracker.figures(), 'allTime')).toEqual({ [HOSTED]: 1, 'llama3.2:3b': 1 });
    const health = await second.tracker.healthCheck();
    expect(health.resources).toMatchObject({ droppedOnOpen: 1, skippedOnOpen: 0 });
    await second.tracker.record(localCall);
    await second.tracker.cleanup();

    const third = await open('2025-03-09T12:00:00');
    expect(third.tracker.problemsOnOpen).toEqual([]);
    expect(calls(third.tracker.figures(), 'allTime')).toEqual({ [HOSTED]: 1, 'llama3.2:3b': 2 });
  });

  it('skips, keeps and reports a bad line in the middle', async () => {
    const first = await open('2025-03-09T10:00:00');
    await first.tracker.record(localCall);
    await first.tracker.cleanup();
    await appendFile(file, '{"npcId":"x"}\n');
    const second = await open('2025-03-09T10:00:00');
    await second.tracker.record(localCall);
    expect(second.tracker.problemsOnOpen).toEqual([expect.objectContaining({ line: 2, dropped: false })]);
    expect(second.tracker.problemsOnOpen[0]!.reason).toContain('time');
    expect((await readFile(file, 'utf8')).split('\n')[1]).toBe('{"npcId":"x"}');
  });

  it('exposes its figures and its one open file in health; close releases it and is idempotent', async () => {
    const { tracker } = await open('2025-03-09T10:00:00');
    await tracker.record(hostedCall());
    const health = await tracker.healthCheck();
    expect(health.status).toBe('healthy');
    expect(health.resources).toMatchObject({ openFiles: 1, journalOpen: true });
    expect(health.resources).toMatchObject({ callsToday: 1, costTodayUsd: 1, callsThisRun: 1, callsAllTime: 1 });
    expect(tracker.figures().today[HOSTED]).toMatchObject({ calls: 1, costUsd: 1 });
    expect(openFilePaths().filter((p) => p === file)).toHaveLength(1);

    const closing = tracker.cleanup();
    expect(tracker.cleanup()).toBe(closing);
    await closing;
    expect(openFilePaths().filter((p) => p === file)).toHaveLength(0);
    const after = await tracker.healthCheck();
    expect(after.status).toBe('stopped');
    expect(after.resources).toMatchObject({ openFiles: 0, journalOpen: false });
    await expect(tracker.record(localCall)).rejects.toThrow(`Usage tracker is closed (${file})`);
  });

  it('waits for appends in progress before closing the file', async () => {
    const { tracker } = await open('2025-03-09T10:00:00');
    const writes = Array.from({ length: 20 }, (_, i) => tracker.record(hostedCall({ npcId: `npc-${i}` })));
    await tracker.cleanup();
    await Promise.all(writes);
    expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(20);
  });

  it('rejects a bad price table and a bad record with a clear error', async () => {
    expect(() => new UsageTracker({ file, prices: { [HOSTED]: { inputPer1k: -1, outputPer1k: 1 } } }, memoryLogger().logger)).toThrow(
      `Usage price table: ${HOSTED}.inputPer1k`,
    );
    const { tracker } = await open('2025-03-09T10:00:00');
    await expect(tracker.record(hostedCall({ inputTokens: -5 }))).rejects.toThrow('Usage record for model');
    expect(tracker.figures().run).toEqual({});
  });
});
