import { z } from 'zod';
import { processorKindSchema } from '../../../shared/npc';

/** One model call, as written to the usage journal. */
export const UsageRecordSchema = z.object({
  time: z.iso.datetime(),
  npcId: z.string(),
  processor: processorKindSchema,
  model: z.string().min(1),
  inputTokens: z.number().int().min(0),
  outputTokens: z.number().int().min(0),
  latencyMs: z.number().min(0),
  /** Estimated from the price table at the time of the call; null when the model had no price. Local calls cost 0. */
  costUsd: z.number().min(0).nullable(),
});
export type UsageRecord = z.infer<typeof UsageRecordSchema>;

/** USD per 1,000 tokens, keyed by model id. */
export const PriceTableSchema = z.record(z.string().min(1), z.object({ inputPer1k: z.number().min(0), outputPer1k: z.number().min(0) }));
export type PriceTable = z.infer<typeof PriceTableSchema>;

export function estimateCostUsd(
  prices: PriceTable,
  call: Pick<UsageRecord, 'processor' | 'model' | 'inputTokens' | 'outputTokens'>,
): number | null {
  if (call.processor === 'local') return 0;
  const price = prices[call.model];
  if (!price) return null;
  const usd = (call.inputTokens / 1000) * price.inputPer1k + (call.outputTokens / 1000) * price.outputPer1k;
  return Math.round(usd * 1e8) / 1e8;
}

/** Calendar day in local time, e.g. "2025-03-09": what "today" means to the person at the desk. */
export function localDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
