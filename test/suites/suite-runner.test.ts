/*
 * The suite runner against the shipped demo Ollama-protocol server (real client, real HTTP): samples and seeds,
 * several backends in one run, the pool, error vs fail, Stop reaching the server, a quit mid-run, typed errors
 * before a run, progress, and the diff against the previous run.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_NPC_ID, demoNpcDraft, demoSuite } from '../../electron/host/demo/demo-npc';
import { DEFAULT_MODELS } from '../../electron/host/demo/ollama';
import { PULLABLE_MODELS } from '../../electron/host/demo/ollama/models';
import type { Processor } from '../../electron/host/processors/processor';
import type { Endpoint } from '../../electron/host/suites/endpoint-pool';
import { runFileSchema, type RunFile } from '../../shared/suite';
import { closeServed, scriptedEndpoint, scriptedProcessor, servedEndpoint, suiteRig, type ServedEndpoint, type SuiteRig } from './rig';

let rig: SuiteRig;
const served: ServedEndpoint[] = [];
beforeEach(async () => (rig = await suiteRig()));
afterEach(async () => {
  await closeServed(...served.splice(0));
  await rig.close();
});

async function serve(...args: Parameters<typeof servedEndpoint>): Promise<ServedEndpoint> {
  const s = await servedEndpoint(...args);
  served.push(s);
  return s;
}

const LOCAL = { processor: 'local', model: 'llama3.2' } as const;
const chatBodies = (s: ServedEndpoint) =>
  s.server.requests.filter((r) => r.path === '/api/chat').map((r) => r.body as { options?: { seed?: number; temperature?: number } });

async function onDisk(run: RunFile): Promise<RunFile> {
  return runFileSchema.parse(JSON.parse(await readFile(join(rig.dataDir, 'suites', 'runs', run.npcId, `${run.id}.json`), 'utf8')));
}

/** Counts how many chats a processor has open at once. */
function counting(inner: Processor): { processor: Processor; max: () => number } {
  let open = 0;
  let max = 0;
  return {
    max: () => max,
    processor: {
      kind: inner.kind,
      async *chat(request, signal) {
        open++;
        max = Math.max(max, open);
        try {
          yield* inner.chat(request, signal);
        } finally {
          open--;
        }
      },
    },
  };
}

describe('runs', () => {
  it('runs N samples per case with seeds sent as options.seed, the temperature override, and a pass-rate matrix', async () => {
    const s = await serve({}, 2);
    const started = await rig.runner([s.endpoint]).start({ npcId: DEMO_NPC_ID, backends: [LOCAL], samples: 3, seed: 10, temperature: 0.2 });
    const run = await started.finished;
    const cases = demoSuite().cases.length;
    expect(run).toMatchObject({ state: 'complete', planned: cases * 3 });
    expect(run.samples).toHaveLength(cases * 3);
    expect(run.samples.map((x) => x.seed).slice(0, 3)).toEqual([10, 11, 12]);
    const bodies = chatBodies(s);
    expect(new Set(bodies.map((b) => b.options?.seed))).toEqual(new Set([10, 11, 12]));
    expect(bodies.every((b) => b.options?.temperature === 0.2)).toBe(true);

    const cell = (name: string) => run.matrix.find((c) => c.case === name)!;
    expect(cell('Keeps the vault code secret')).toMatchObject({ passed: 0, failed: 3, passRate: 0 });
    expect(cell('Knows the lighthouse')).toMatchObject({ passed: 3, failed: 0, passRate: 1 });
    const vault = run.samples.find((x) => x.case === 'Keeps the vault code secret')!;
    expect(vault.turns[0]!.lore!.activated.map((e) => e.comment)).toContain('Vault code');
    expect(vault.turns[0]!.assertions.map((a) => a.verdict)).toEqual(['pass', 'fail']);
    expect(run.totals.replyTokens).toBeGreaterThan(0);
    expect(run.totals.costUsd).toBe(0);
    expect(Object.values(rig.usage.figures().allTime).reduce((n, m) => n + m.calls, 0)).toBe(bodies.length);
    expect(await onDisk(run)).toEqual(run);
    expect(rig.progress.at(-1)).toMatchObject({ runId: run.id, state: 'complete', done: cases * 3, total: cases * 3 });
    const dones = rig.progress.filter((p) => p.state === 'running').map((p) => p.done);
    expect(dones).toEqual([...dones].sort((a, b) => a - b));

    // Same seeds, same replies: the demo server is deterministic, and so the run is reproducible.
    const again = await (
      await rig.runner([s.endpoint]).start({ npcId: DEMO_NPC_ID, backends: [LOCAL], samples: 3, seed: 10, temperature: 0.2 })
    ).finished;
    expect(again.samples.map((x) => x.turns.map((t) => t.reply))).toEqual(run.samples.map((x) => x.turns.map((t) => t.reply)));
  });

  it('runs two local models and a hosted one in one run; the hosted samples say they had no seed', async () => {
    const s = await serve({}, 2, [...DEFAULT_MODELS, PULLABLE_MODELS[0]!]);
    const seen: unknown[] = [];
    const hosted = scriptedEndpoint(
      'bedrock',
      scriptedProcessor('hosted', () => 'I am Mira. Old Wick has stood forty years. Salt Pier, sleep.', seen),
      null,
      false,
    );
    const backends = [LOCAL, { processor: 'local', model: 'qwen2.5:0.5b' }, { processor: 'hosted', model: 'anthropic.claude' }] as const;
    const run = await (await rig.runner([s.endpoint, hosted]).start({ npcId: DEMO_NPC_ID, backends: [...backends] })).finished;
    expect(run.backends).toEqual(['local:llama3.2', 'local:qwen2.5:0.5b', 'hosted:anthropic.claude']);
    expect(run.matrix).toHaveLength(demoSuite().cases.length * 3);
    expect(new Set(chatBodies(s).map((b) => (b as { model?: string }).model))).toEqual(new Set(['llama3.2', 'qwen2.5:0.5b']));
    const hostedSamples = run.samples.filter((x) => x.backend === 'hosted:anthropic.claude');
    expect(hostedSamples.every((x) => x.seeded === false && x.endpoint === 'bedrock')).toBe(true);
    expect(seen.every((r) => !('seed' in (r as object)))).toBe(true);
    expect(run.matrix.find((c) => c.backend === 'hosted:anthropic.claude' && c.case === 'Keeps the vault code secret')!.passRate).toBe(1);
  });

  it('spreads samples over the pool, never more at once on an endpoint than its concurrency', async () => {
    const a = await serve({ tokenDelayMs: 2 }, 1);
    const b = await serve({ tokenDelayMs: 2 }, 1);
    const ca = counting(a.processor);
    const cb = counting(b.processor);
    const endpoints: Endpoint[] = [
      { ...a.endpoint, chat: ca.processor },
      { ...b.endpoint, chat: cb.processor, concurrency: 2 },
    ];
    const run = await (await rig.runner(endpoints).start({ npcId: DEMO_NPC_ID, backends: [LOCAL], samples: 4 })).finished;
    const by = (e: ServedEndpoint) => run.samples.filter((x) => x.endpoint === e.endpoint.label).length;
    expect(by(a)).toBeGreaterThan(0);
    expect(by(b)).toBeGreaterThan(0);
    expect(by(a) + by(b)).toBe(run.planned);
    expect(ca.max()).toBe(1);
    expect(cb.max()).toBeLessThanOrEqual(2);
  });

  it('marks samples whose backend failed `error`, not `fail`, and the run goes on', async () => {
    const s = await serve({ failNext: { status: 500, count: 2, path: '/api/chat', message: 'GPU fell over' } }, 1);
    const run = await (await rig.runner([s.endpoint]).start({ npcId: DEMO_NPC_ID, backends: [LOCAL] })).finished;
    expect(run.state).toBe('complete');
    const errors = run.samples.filter((x) => x.status === 'error');
    expect(errors).toHaveLength(2);
    expect(errors[0]!.error).toMatch(/GPU fell over/);
    expect(run.totals).toMatchObject({ errors: 2, failed: 1 });
    expect(run.samples).toHaveLength(run.planned);
  });

  it('Stop cancels the request upstream: the server sees the connection close within 100 ms', async () => {
    const s = await serve({ tokenDelayMs: 300 }, 1);
    const runner = rig.runner([s.endpoint]);
    const started = await runner.start({ npcId: DEMO_NPC_ID, backends: [LOCAL], samples: 5 });
    const deadline = Date.now() + 10_000;
    while (!s.server.requests.some((r) => r.path === '/api/chat' && r.tokenSentAt.length > 0) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    const streaming = s.server.requests.find((r) => r.path === '/api/chat' && r.tokenSentAt.length > 0)!;
    const closed = s.server.connections.nextClose((info) => info.id === streaming.connectionId);
    const stoppedAt = performance.now();
    expect(runner.stop(started.runId)).toBe(true);
    const info = await closed;
    expect(info.closedAt! - stoppedAt).toBeLessThan(100);
    const run = await started.finished;
    expect(run.state).toBe('stopped');
    expect(run.samples.length).toBeLessThan(run.planned);
    expect(run.samples.filter((x) => x.status === 'interrupted')).toHaveLength(1);
    expect(runner.stop(started.runId)).toBe(false);
  });

  it('a quit mid-run drains, refuses new samples, aborts at the deadline and saves the partial run marked interrupted', async () => {
    const s = await serve({ tokenDelayMs: 40 }, 1);
    const started = await rig.runner([s.endpoint]).start({ npcId: DEMO_NPC_ID, backends: [LOCAL], samples: 5 });
    while (rig.progress.filter((p) => p.done > 0).length === 0) await new Promise((r) => setTimeout(r, 5));
    rig.engine.stopAccepting();
    const drained = await rig.engine.drain(100);
    const run = await started.finished;
    expect(drained.aborted).toBeGreaterThan(0);
    expect(run.state).toBe('interrupted');
    expect(run.samples.length).toBeGreaterThan(0);
    expect(run.samples.length).toBeLessThan(run.planned);
    expect(run.samples.some((x) => x.status === 'interrupted')).toBe(true);
    expect(await onDisk(run)).toMatchObject({ state: 'interrupted', samples: run.samples });
    await expect(rig.runner([s.endpoint]).start({ npcId: DEMO_NPC_ID, backends: [LOCAL] })).rejects.toMatchObject({
      name: 'ShuttingDownError',
    });
  });
});

describe('before a run: typed errors with a hint', () => {
  it('unknown NPC, no suite, an invalid request', async () => {
    const s = await serve();
    const runner = rig.runner([s.endpoint]);
    await expect(runner.start({ npcId: 'nobody', backends: [LOCAL] })).rejects.toMatchObject({
      name: 'UnknownTestNpcError',
      hint: expect.stringMatching(/npc list/),
    });
    await rig.npcs.save({ ...demoNpcDraft(), id: 'no-suite' });
    await expect(runner.start({ npcId: 'no-suite', backends: [LOCAL] })).rejects.toMatchObject({ name: 'NoSuiteError' });
    await expect(runner.start({ npcId: DEMO_NPC_ID, backends: [LOCAL], samples: 0 })).rejects.toMatchObject({
      name: 'SuiteValidationError',
      fieldPath: 'samples',
    });
    await expect(runner.start({ npcId: DEMO_NPC_ID, backends: [LOCAL], cases: ['nope'] })).rejects.toMatchObject({ fieldPath: 'cases[0]' });
  });

  it('a judge assertion without a judge model, or with one the endpoint does not have', async () => {
    const s = await serve();
    const judged = { name: 'judged', turns: [{ player: 'hi', expect: [{ kind: 'judge', rubric: 'in character' }] }] };
    await rig.suites.save({ ...demoSuite(), cases: [judged] });
    await expect(rig.runner([s.endpoint]).start({ npcId: DEMO_NPC_ID, backends: [LOCAL] })).rejects.toMatchObject({
      name: 'JudgeModelMissingError',
      hint: expect.stringMatching(/"judge"/),
    });
    await rig.suites.save({ ...demoSuite(), judge: { processor: 'local', model: 'grader:7b' }, cases: [judged] });
    await expect(rig.runner([s.endpoint]).start({ npcId: DEMO_NPC_ID, backends: [LOCAL] })).rejects.toMatchObject({
      name: 'JudgeModelMissingError',
      message: expect.stringContaining('"grader:7b" is not available on ollama http://127.0.0.1'),
      hint: expect.stringContaining('ollama pull grader:7b'),
    });
  });

  it('an unreachable backend, a missing model, no endpoint for the processor', async () => {
    const s = await serve();
    const url = s.server.url;
    await s.server.stop();
    await expect(rig.runner([s.endpoint], { preflightMs: 2000 }).start({ npcId: DEMO_NPC_ID, backends: [LOCAL] })).rejects.toMatchObject({
      name: 'BackendUnreachableError',
      message: expect.stringContaining(url),
      hint: expect.stringMatching(/ollama serve/),
    });
    const t = await serve();
    await expect(
      rig.runner([t.endpoint]).start({ npcId: DEMO_NPC_ID, backends: [{ processor: 'local', model: 'mistral' }] }),
    ).rejects.toMatchObject({ name: 'ModelMissingError' });
    await expect(
      rig.runner([t.endpoint]).start({ npcId: DEMO_NPC_ID, backends: [{ processor: 'hosted', model: 'x' }] }),
    ).rejects.toMatchObject({ name: 'NoEndpointError' });
  });

  it('leaves an unreachable endpoint of the pool out and runs on the others', async () => {
    const down = await serve();
    await down.server.stop();
    const up = await serve({}, 2);
    const run = await (
      await rig.runner([down.endpoint, up.endpoint], { preflightMs: 2000 }).start({ npcId: DEMO_NPC_ID, backends: [LOCAL] })
    ).finished;
    expect(run.samples.every((x) => x.endpoint === up.endpoint.label && x.status !== 'error')).toBe(true);
  });
});

describe('history', () => {
  it('lists runs newest first and diffs a run against the one before it: regressions per case × backend', async () => {
    const s = await serve({}, 2);
    const runner = rig.runner([s.endpoint]);
    const first = await (await runner.start({ npcId: DEMO_NPC_ID, backends: [LOCAL] })).finished;
    expect((await runner.diff(DEMO_NPC_ID, first.id)).previousRunId).toBeNull();
    // The lighthouse entry is lost: its lore no longer fires.
    const npc = rig.npcs.get(DEMO_NPC_ID);
    await rig.npcs.save({
      id: npc.id,
      studio: npc.studio,
      card: { ...npc.card, character_book: { ...npc.card.character_book!, entries: npc.card.character_book!.entries.slice(1) } },
    });
    const second = await (await runner.start({ npcId: DEMO_NPC_ID, backends: [LOCAL] })).finished;
    const runs = await rig.suites.runs.list(DEMO_NPC_ID);
    expect(runs.map((r) => r.id)).toEqual([second.id, first.id]);
    const diff = await runner.diff(DEMO_NPC_ID, second.id);
    expect(diff.previousRunId).toBe(first.id);
    expect(diff.cells.filter((c) => c.change === 'regressed')).toEqual([
      { case: 'Knows the lighthouse', backend: 'local:llama3.2', before: 1, after: 0, change: 'regressed' },
    ]);
    expect(diff.regressions).toBe(1);
  });
});
