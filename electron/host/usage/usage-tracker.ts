import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Journal, type JournalProblem } from '../fs/journal';
import { formatZodPath } from '../fs/json-file';
import type { Health } from '../../../shared/health';
import { healthNow, type Provider } from '../lifecycle/provider';
import type { Logger } from '../log/logger';
import { openFilePaths } from '../resources/proc';
import { UsageAggregates, type UsageByModel, type UsageFigures } from './usage-aggregates';
import { relabelDeletedNpc } from './usage-relabel';
import { estimateCostUsd, PriceTableSchema, type PriceTable, type UsageRecord, UsageRecordSchema } from './usage-record';
import { errorMessage } from '../../../shared/errors';

export interface UsageTrackerSettings {
  /** The journal file, e.g. <userData>/usage.jsonl. */
  file: string;
  /** USD per 1k input/output tokens by model id; hosted models missing here are recorded with cost null. */
  prices?: PriceTable;
  /** Clock for "today" and record times (tests pin it). */
  now?: () => Date;
}

export type UsageCall = Omit<UsageRecord, 'time' | 'costUsd'>;

/** One journal record per model call (local and hosted), fsynced; per-model figures for the resources panel. */
export class UsageTracker implements Provider {
  readonly id = 'usage-tracker';
  readonly kind = 'usage';
  readonly phase = 'clients' as const;
  readonly file: string;
  private readonly prices: PriceTable;
  private readonly now: () => Date;
  private journal: Journal<UsageRecord> | null = null;
  private readonly aggregates = new UsageAggregates();
  private openProblems: JournalProblem[] = [];
  private lastError: string | null = null;
  private closing: Promise<void> | null = null;
  /** A rewrite of the journal in progress (deleting an NPC's labels): appends wait for it. */
  private rewriting: Promise<unknown> = Promise.resolve();

  constructor(
    settings: UsageTrackerSettings,
    private readonly logger: Logger,
  ) {
    this.file = resolve(settings.file);
    const prices = PriceTableSchema.safeParse(settings.prices ?? {});
    if (!prices.success) {
      const issue = prices.error.issues[0]!;
      throw new Error(`Usage price table: ${formatZodPath(issue.path) || '(root)'}: ${issue.message}`);
    }
    this.prices = prices.data;
    this.now = settings.now ?? (() => new Date());
  }

  async initialize(): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    const { journal, records, problems } = await Journal.open(this.file, UsageRecordSchema);
    this.journal = journal;
    this.openProblems = problems;
    for (const record of records) this.aggregates.add(record, false);
    for (const problem of problems) {
      if (problem.dropped) this.logger.warn({ file: this.file, line: problem.line }, `Usage journal: ${problem.reason}`);
      else
        this.logger.warn(
          { file: this.file, line: problem.line },
          `Usage journal line ${problem.line} is unreadable and was skipped: ${problem.reason}`,
        );
    }
    this.logger.debug({ file: this.file, records: records.length }, 'Usage tracker opened');
  }

  /** Appends and fsyncs one record, then counts it. Resolves with the record as written. */
  async record(call: UsageCall): Promise<UsageRecord> {
    await this.rewriting;
    const journal = this.journal;
    if (!journal) throw new Error(`Usage tracker is ${this.closing ? 'closed' : 'not initialized'} (${this.file})`);
    const parsed = UsageRecordSchema.safeParse({ ...call, time: this.now().toISOString(), costUsd: estimateCostUsd(this.prices, call) });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(
        `Usage record for model "${call.model}" (NPC ${call.npcId}): ${formatZodPath(issue.path) || '(root)'}: ${issue.message}`,
      );
    }
    const record = parsed.data;
    try {
      await journal.append(record);
    } catch (err) {
      this.lastError = `could not write ${this.file}: ${errorMessage(err)}`;
      throw new Error(`Usage tracker ${this.lastError}`, { cause: err });
    }
    this.aggregates.add(record, true);
    return record;
  }

  /** Takes a deleted NPC's id off its usage records (they stay counted, labelled DELETED_NPC_LABEL). */
  forgetNpc(npcId: string): Promise<number> {
    const run = this.rewriting.then(async () => {
      const journal = this.journal;
      if (!journal) throw new Error(`Usage tracker is ${this.closing ? 'closed' : 'not initialized'} (${this.file})`);
      await journal.close();
      try {
        return await relabelDeletedNpc(this.file, npcId);
      } finally {
        if (!this.closing) this.journal = (await Journal.open(this.file, UsageRecordSchema)).journal;
      }
    });
    this.rewriting = run.catch(() => undefined);
    return run;
  }

  figures(): UsageFigures {
    return this.aggregates.figures(this.now());
  }

  /** What opening the journal found wrong (a torn last record is dropped; other bad lines are kept and skipped). */
  get problemsOnOpen(): readonly JournalProblem[] {
    return this.openProblems;
  }

  async healthCheck(): Promise<Health> {
    const resources = {
      openFiles: openFilePaths().filter((path) => path === this.file).length,
      journalOpen: this.journal?.isOpen ?? false,
      droppedOnOpen: this.openProblems.filter((p) => p.dropped).length,
      skippedOnOpen: this.openProblems.filter((p) => !p.dropped).length,
      ...usageTotals(this.figures()),
    };
    if (!this.journal) return healthNow('stopped', resources);
    return healthNow(this.lastError ? 'degraded' : 'healthy', resources, this.lastError ? { lastError: this.lastError } : {});
  }

  /** Waits for pending appends, fsyncs and closes the file. Idempotent. */
  cleanup(): Promise<void> {
    this.closing ??= this.close();
    return this.closing;
  }

  private async close(): Promise<void> {
    await this.rewriting;
    const journal = this.journal;
    this.journal = null;
    await journal?.close();
  }
}

/** Flat totals for the Resources panel (per-model rows are in figures() and the usage.summary channel). */
function usageTotals(figures: UsageFigures) {
  const sum = (byModel: UsageByModel) =>
    Object.values(byModel).reduce(
      (t, m) => ({
        calls: t.calls + m.calls,
        tokens: t.tokens + m.inputTokens + m.outputTokens,
        costUsd: t.costUsd + m.costUsd,
        unpriced: t.unpriced + m.unpricedCalls,
      }),
      { calls: 0, tokens: 0, costUsd: 0, unpriced: 0 },
    );
  const today = sum(figures.today);
  const run = sum(figures.run);
  const allTime = sum(figures.allTime);
  return {
    callsToday: today.calls,
    tokensToday: today.tokens,
    costTodayUsd: Math.round(today.costUsd * 1e6) / 1e6,
    callsThisRun: run.calls,
    tokensThisRun: run.tokens,
    callsAllTime: allTime.calls,
    costAllTimeUsd: Math.round(allTime.costUsd * 1e6) / 1e6,
    unpricedCallsToday: today.unpriced,
  };
}
