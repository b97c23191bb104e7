import type { ProcessorKind } from '../../../shared/npc';
import { localDay, type UsageRecord } from './usage-record';

export interface ModelUsage {
  processor: ProcessorKind;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  totalLatencyMs: number;
  meanLatencyMs: number;
  costUsd: number;
  /** Calls whose model had no price: their cost is not in costUsd. */
  unpricedCalls: number;
}

export type UsageByModel = Record<string, ModelUsage>;

export interface UsageFigures {
  today: UsageByModel;
  /** The local calendar month so far. */
  thisMonth: UsageByModel;
  run: UsageByModel;
  allTime: UsageByModel;
}

type Table = Map<string, ModelUsage>;

function add(table: Table, r: UsageRecord): void {
  const row = table.get(r.model) ?? {
    processor: r.processor,
    calls: 0,
    inputTokens: 0,
    outputTokens: 0,
    totalLatencyMs: 0,
    meanLatencyMs: 0,
    costUsd: 0,
    unpricedCalls: 0,
  };
  row.calls++;
  row.inputTokens += r.inputTokens;
  row.outputTokens += r.outputTokens;
  row.totalLatencyMs += r.latencyMs;
  row.meanLatencyMs = Math.round(row.totalLatencyMs / row.calls);
  if (r.costUsd === null) row.unpricedCalls++;
  else row.costUsd = Math.round((row.costUsd + r.costUsd) * 1e8) / 1e8;
  table.set(r.model, row);
}

function snapshot(table: Table | undefined): UsageByModel {
  return Object.fromEntries([...(table ?? new Map<string, ModelUsage>()).entries()].map(([model, row]) => [model, { ...row }]));
}

/** Per-model sums for today, this run and all time; days are kept as sums, never as raw records. */
export class UsageAggregates {
  private readonly allTime: Table = new Map();
  private readonly run: Table = new Map();
  private readonly byDay = new Map<string, Table>();
  private readonly byMonth = new Map<string, Table>();

  /** `thisRun`: the record was made since the tracker opened (not read back from the journal). */
  add(record: UsageRecord, thisRun: boolean): void {
    add(this.allTime, record);
    if (thisRun) add(this.run, record);
    const day = localDay(new Date(record.time));
    let table = this.byDay.get(day);
    if (!table) this.byDay.set(day, (table = new Map()));
    add(table, record);
    const month = day.slice(0, 7);
    let monthTable = this.byMonth.get(month);
    if (!monthTable) this.byMonth.set(month, (monthTable = new Map()));
    add(monthTable, record);
  }

  figures(now: Date): UsageFigures {
    const today = localDay(now);
    return {
      today: snapshot(this.byDay.get(today)),
      thisMonth: snapshot(this.byMonth.get(today.slice(0, 7))),
      run: snapshot(this.run),
      allTime: snapshot(this.allTime),
    };
  }
}
