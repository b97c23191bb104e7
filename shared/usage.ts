export interface UsageRow {
  providerId: string;
  model: string;
  calls: number;
  promptTokens: number;
  replyTokens: number;
  /** 0 for local models. */
  costUsd: number;
}

export interface UsageSummary {
  /** Local day, YYYY-MM-DD. */
  day: string;
  rows: UsageRow[];
  totals: { calls: number; promptTokens: number; replyTokens: number; costUsd: number };
}
