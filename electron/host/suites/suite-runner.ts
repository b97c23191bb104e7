import { errorMessage } from '../../../shared/errors';
import { formatIssuePath } from '../../../shared/errors';
import {
  backendLabel,
  runRequestSchema,
  type Backend,
  type RunDiff,
  type RunFile,
  type RunRequest,
  type RunRequestInput,
  type SampleResult,
  type Suite,
  type SuiteCase,
  type SuiteProgressEvent,
} from '../../../shared/suite';
import type { ExecutionEngine } from '../engine/execution-engine';
import { ShuttingDownError } from '../engine/errors';
import type { Logger } from '../log/logger';
import { npcLorebooks, type LorebookLookup } from '../lore/npc-lore';
import type { LoreRetriever } from '../npc/chat-types';
import { NpcNotFoundError } from '../npc/npc-errors';
import type { NpcStore } from '../npc/npc-store';
import type { UsageCall } from '../usage/usage-tracker';
import { PoolSlot, type Endpoint } from './endpoint-pool';
import { buildMatrix, diffRuns, totalsOf } from './run-matrix';
import { newRunId } from './run-store';
import { runSample, type SampleContext } from './sample-run';
import {
  BackendUnreachableError,
  JudgeModelMissingError,
  ModelMissingError,
  NoEndpointError,
  NoSuiteError,
  SuiteValidationError,
  UnknownTestNpcError,
} from './suite-errors';
import type { SuiteStore } from './suite-store';

export interface SuiteRunnerOptions {
  engine: ExecutionEngine;
  npcs: Pick<NpcStore, 'get'>;
  suites: SuiteStore;
  lorebooks: LorebookLookup | null;
  /** Knowledge retrieval; null where there is no knowledge store (the CLI). */
  knowledge: LoreRetriever | null;
  /** The pool: every Ollama URL of the settings and Bedrock, read at each run's start. */
  endpoints(): Endpoint[];
  usage: { record(call: UsageCall): Promise<{ costUsd: number | null }> } | null;
  progress(event: SuiteProgressEvent): void;
  logger: Logger;
  /** How often a run in progress is rewritten to its file (so a crash keeps what was done). */
  saveEveryMs?: number;
  /** How long the preflight waits for an endpoint to answer. */
  preflightMs?: number;
}

export interface StartedRun {
  runId: string;
  planned: number;
  /** Settles with the run file as saved (complete, stopped or interrupted); rejects only if it could not be saved. */
  finished: Promise<RunFile>;
}

interface Job {
  case: SuiteCase;
  backend: Backend;
  sample: number;
  seed: number;
}

interface ActiveRun {
  npcId: string;
  stop: AbortController;
}

/**
 * Runs an NPC's suite: N samples per case per backend, spread over the endpoint pool (each endpoint takes as many
 * samples at once as its concurrency). The run and each sample are engine work, admitted like chats: Stop aborts
 * them (the request closes upstream); a shutdown drains, refuses the samples not begun, aborts what is left at the
 * drain deadline, and the run saves what it has, marked interrupted. A backend that fails makes its samples `error`.
 */
export class SuiteRunner {
  private readonly active = new Map<string, ActiveRun>();

  constructor(private readonly options: SuiteRunnerOptions) {}

  running(): { runId: string; npcId: string }[] {
    return [...this.active.entries()].map(([runId, r]) => ({ runId, npcId: r.npcId }));
  }

  /** Stops a run; false when it is not running. */
  stop(runId: string): boolean {
    const run = this.active.get(runId);
    if (!run) return false;
    run.stop.abort(new DOMException('test run stopped by the user', 'AbortError'));
    return true;
  }

  /** Checks the request, the suite and the pool (typed errors with hints), then starts the run. */
  async start(input: RunRequestInput): Promise<StartedRun> {
    if (!this.options.engine.isAccepting) throw new ShuttingDownError('test run');
    const parsed = runRequestSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new SuiteValidationError(formatIssuePath(issue.path) || '(request)', issue.message);
    }
    const request = parsed.data;
    let npc;
    try {
      npc = this.options.npcs.get(request.npcId);
    } catch (err) {
      if (err instanceof NpcNotFoundError) throw new UnknownTestNpcError(request.npcId);
      throw err;
    }
    const suite = this.options.suites.get(request.npcId);
    if (!suite) throw new NoSuiteError(request.npcId);
    const cases = chooseCases(suite, request);
    const slots = await this.preflight(request, suite, cases);

    const jobs: Job[] = cases.flatMap((c) =>
      request.backends.flatMap((backend) =>
        Array.from({ length: request.samples }, (_, i) => ({ case: c, backend, sample: i, seed: request.seed + i })),
      ),
    );
    const runId = newRunId();
    const stop = new AbortController();
    const run: RunFile = {
      version: 1,
      id: runId,
      npcId: npc.id,
      npcName: npc.card.name,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      state: 'running',
      request,
      cases: cases.map((c) => c.name),
      backends: [...new Set(request.backends.map(backendLabel))],
      planned: jobs.length,
      samples: [],
      matrix: [],
      totals: totalsOf([]),
    };
    this.active.set(runId, { npcId: npc.id, stop });
    const books = npcLorebooks(npc, this.options.lorebooks);
    const base = { npc, books, suite, slots, temperature: request.temperature };
    const finished = this.options.engine
      .run(`test run ${npc.id}`, (signal) => this.execute(run, jobs, base, signal, stop.signal), stop.signal)
      .finally(() => this.active.delete(runId));
    finished.catch((err: unknown) => this.options.logger.error({ runId }, `Test run ${runId} could not be saved: ${errorMessage(err)}`));
    return { runId, planned: jobs.length, finished };
  }

  /** The run against the NPC's run before it. */
  async diff(npcId: string, runId: string): Promise<RunDiff> {
    const runs = this.options.suites.runs;
    const run = await runs.get(npcId, runId);
    const history = await runs.list(npcId);
    const previous = history.find((r) => r.startedAt < run.startedAt || (r.startedAt === run.startedAt && r.id < run.id));
    return diffRuns(run, previous ? await runs.get(npcId, previous.id) : null);
  }

  /** Reaches every endpoint the run needs (unreachable ones are left out; none left is an error) and checks the models. */
  private async preflight(request: RunRequest, suite: Suite, cases: SuiteCase[]): Promise<PoolSlot[]> {
    const judges = cases.flatMap((c) =>
      c.turns.flatMap((t) => t.expect.flatMap((a) => (a.kind === 'judge' ? [{ c, judge: a.judge ?? suite.judge }] : []))),
    );
    for (const { c, judge } of judges) if (!judge) throw new JudgeModelMissingError(c.name, null);
    const kinds = new Set([...request.backends.map((b) => b.processor), ...judges.map((j) => j.judge!.processor)]);
    const all = this.options.endpoints().filter((e) => kinds.has(e.processor));
    const timeout = this.options.preflightMs ?? 5000;
    const checked = await Promise.all(
      all.map(async (endpoint) => {
        try {
          return { endpoint, models: await endpoint.models(AbortSignal.timeout(timeout)) };
        } catch (err) {
          return { endpoint, error: errorMessage(err) };
        }
      }),
    );
    const slots: PoolSlot[] = [];
    for (const kind of kinds) {
      const mine = checked.filter((c) => c.endpoint.processor === kind);
      if (mine.length === 0) throw new NoEndpointError(kind);
      for (const c of mine) {
        if ('error' in c) this.options.logger.warn(`Test run: ${c.endpoint.label} left out, it cannot be reached: ${c.error}`);
        else slots.push(new PoolSlot(c.endpoint, c.models));
      }
      if (!slots.some((s) => s.endpoint.processor === kind)) {
        const first = mine[0]!;
        const hint =
          kind === 'local'
            ? 'Start Ollama there (ollama serve), or check the Ollama URLs in Settings (ollama.url, ollama.endpoints).'
            : 'Check the Bedrock region, endpoint and credentials in Settings.';
        throw new BackendUnreachableError(
          mine.map((m) => m.endpoint.label).join(', '),
          'error' in first ? first.error! : 'no answer',
          hint,
        );
      }
    }
    const where = (kind: string) =>
      slots
        .filter((s) => s.endpoint.processor === kind)
        .map((s) => s.endpoint.label)
        .join(', ');
    for (const b of request.backends) {
      if (!slots.some((s) => s.serves(b.processor, b.model))) throw new ModelMissingError(b.model, where(b.processor));
    }
    for (const { c, judge } of judges) {
      if (!slots.some((s) => s.serves(judge!.processor, judge!.model)))
        throw new JudgeModelMissingError(c.name, judge!.model, where(judge!.processor));
    }
    return slots;
  }

  private async execute(
    run: RunFile,
    jobs: Job[],
    base: Pick<SampleContext, 'npc' | 'books' | 'temperature'> & { suite: Suite; slots: PoolSlot[] },
    runSignal: AbortSignal,
    stopSignal: AbortSignal,
  ): Promise<RunFile> {
    const { engine, logger } = this.options;
    const queue = [...jobs];
    const results: SampleResult[] = [];
    const started = performance.now();
    let refused = false;
    let saving: Promise<void> = Promise.resolve();
    let lastSave = performance.now();
    const snapshot = (state: RunFile['state']): RunFile => {
      const samples = ordered(results, jobs);
      return {
        ...run,
        state,
        samples,
        matrix: buildMatrix(run.cases, run.backends, samples),
        totals: totalsOf(samples),
        finishedAt: state === 'running' ? null : new Date().toISOString(),
      };
    };
    const save = (file: RunFile) => {
      saving = saving
        .then(() => this.options.suites.runs.save(file))
        .catch((err: unknown) => logger.warn({ runId: run.id }, `Test run not saved: ${errorMessage(err)}`));
      lastSave = performance.now();
      return saving;
    };
    const publish = (state: RunFile['state']) => {
      const done = results.length;
      const elapsed = performance.now() - started;
      const count = (s: SampleResult['status']) => results.filter((r) => r.status === s).length;
      this.options.progress({
        runId: run.id,
        npcId: run.npcId,
        state,
        done,
        total: run.planned,
        passed: count('pass'),
        failed: count('fail'),
        errors: count('error'),
        etaMs: done === 0 || state !== 'running' ? null : Math.round((elapsed / done) * (run.planned - done)),
      });
    };

    const worker = async (slot: PoolSlot): Promise<void> => {
      for (;;) {
        if (runSignal.aborted || refused) return;
        const at = queue.findIndex((j) => slot.serves(j.backend.processor, j.backend.model));
        if (at < 0) return;
        const job = queue.splice(at, 1)[0]!;
        const ctx = this.sampleContext(base, job, slot);
        slot.acquire();
        try {
          const label = `test ${run.npcId} "${job.case.name}" ${backendLabel(job.backend)} #${job.sample + 1}`;
          results.push(await engine.run(label, (signal) => runSample(job.case, job.sample, ctx, signal), runSignal));
        } catch (err) {
          if (err instanceof ShuttingDownError) {
            refused = true; // the studio is quitting: samples not begun stay unrun
            return;
          }
          results.push({
            case: job.case.name,
            backend: backendLabel(job.backend),
            sample: job.sample,
            seed: job.seed,
            seeded: slot.endpoint.seeded,
            endpoint: slot.endpoint.label,
            status: 'error',
            error: errorMessage(err),
            ms: 0,
            opening: [],
            turns: [],
          });
        } finally {
          slot.release();
        }
        publish('running');
        if (performance.now() - lastSave > (this.options.saveEveryMs ?? 2000)) void save(snapshot('running'));
      }
    };
    // In the history at once (and kept if the studio dies mid-run); not awaited: the first sample need not wait for the disk.
    void save(snapshot('running'));
    publish('running');
    await Promise.all(base.slots.flatMap((slot) => Array.from({ length: slot.endpoint.concurrency }, () => worker(slot))));
    const state: RunFile['state'] = stopSignal.aborted ? 'stopped' : runSignal.aborted || refused ? 'interrupted' : 'complete';
    const file = snapshot(state);
    await save(file);
    publish(state);
    logger.info(
      { runId: run.id, state, ...file.totals },
      `Test run of ${run.npcId} ${state}: ${file.samples.length}/${run.planned} samples`,
    );
    return file;
  }

  private sampleContext(
    base: Pick<SampleContext, 'npc' | 'books' | 'temperature'> & { suite: Suite; slots: PoolSlot[] },
    job: Job,
    slot: PoolSlot,
  ): SampleContext {
    const { knowledge, usage, logger } = this.options;
    return {
      npc: base.npc,
      books: base.books,
      backend: job.backend,
      seed: job.seed,
      endpoint: { label: slot.endpoint.label, chat: slot.endpoint.chat, seeded: slot.endpoint.seeded },
      ...(base.temperature !== undefined ? { temperature: base.temperature } : {}),
      ...(base.suite.judge ? { defaultJudge: base.suite.judge } : {}),
      retrieve: knowledge ? (text) => knowledge.query(base.npc.id, text, 4) : null,
      record: async (call) => {
        if (!usage) return null;
        try {
          const record = await usage.record({
            npcId: base.npc.id,
            processor: call.processor,
            model: call.model,
            inputTokens: call.promptTokens,
            outputTokens: call.replyTokens,
            latencyMs: call.latencyMs,
          });
          return record.costUsd;
        } catch (err) {
          logger.warn(`Usage of a test sample not recorded: ${errorMessage(err)}`);
          return null;
        }
      },
      judgeWith: (judge) => {
        const slotFor =
          base.slots.find((s) => s.serves(judge.processor, judge.model)) ??
          base.slots.find((s) => s.endpoint.processor === judge.processor);
        if (!slotFor) throw new NoEndpointError(judge.processor);
        return slotFor.endpoint.chat;
      },
    };
  }
}

function chooseCases(suite: Suite, request: RunRequest): SuiteCase[] {
  if (suite.cases.length === 0) throw new SuiteValidationError('cases', 'the suite has no cases; add one');
  if (!request.cases) return suite.cases;
  return request.cases.map((name, i) => {
    const found = suite.cases.find((c) => c.name === name);
    if (!found) throw new SuiteValidationError(`cases[${i}]`, `no case named "${name}" in the suite of ${suite.npcId}`);
    return found;
  });
}

/** Samples in plan order (case, backend, sample), whatever order they finished in. */
function ordered(results: readonly SampleResult[], jobs: readonly Job[]): SampleResult[] {
  const rank = new Map(jobs.map((j, i) => [`${j.case.name}\u0000${backendLabel(j.backend)}\u0000${j.sample}`, i]));
  return [...results].sort(
    (a, b) =>
      (rank.get(`${a.case}\u0000${a.backend}\u0000${a.sample}`) ?? 0) - (rank.get(`${b.case}\u0000${b.backend}\u0000${b.sample}`) ?? 0),
  );
}
