import type { ChatEvent, ChatRequest, Processor } from '../processors/processor';
import type { UsageByModel } from './usage-aggregates';
import type { UsageTracker } from './usage-tracker';

/** Share of the cap at which the studio warns. */
export const BUDGET_WARN_SHARE = 0.8;

export interface BudgetStatus {
  capUsd: number | null;
  todayUsd: number;
  monthUsd: number;
  todayTokens: number;
  monthTokens: number;
  /** monthUsd / capUsd (null without a cap). */
  share: number | null;
  level: 'ok' | 'warn' | 'over';
}

/** A hosted turn refused because this month's hosted cost has reached the cap set in Settings. */
export class BudgetExceededError extends Error {
  readonly hint = 'Raise the monthly cap in Settings → Hosted budget, or switch this NPC to a local model (Ollama).';
  constructor(readonly status: BudgetStatus) {
    super(
      `Hosted chat stopped: this month's Bedrock cost is $${status.monthUsd.toFixed(2)}, ` +
        `which has reached the budget cap of $${(status.capUsd ?? 0).toFixed(2)}. No request was sent.`,
    );
    this.name = 'BudgetExceededError';
  }
}

function hosted(rows: UsageByModel): { usd: number; tokens: number } {
  let usd = 0;
  let tokens = 0;
  for (const row of Object.values(rows)) {
    if (row.processor !== 'hosted') continue;
    usd += row.costUsd;
    tokens += row.inputTokens + row.outputTokens;
  }
  return { usd: Math.round(usd * 1e6) / 1e6, tokens };
}

/** Hosted spending against the monthly cap in Settings (read on every check, so a raised cap applies at once). */
export class BudgetGuard {
  constructor(
    private readonly tracker: Pick<UsageTracker, 'figures'>,
    private readonly capUsd: () => number | null,
  ) {}

  status(): BudgetStatus {
    const figures = this.tracker.figures();
    const today = hosted(figures.today);
    const month = hosted(figures.thisMonth);
    const capUsd = this.capUsd();
    const share = capUsd === null ? null : capUsd === 0 ? (month.usd > 0 ? Infinity : 1) : month.usd / capUsd;
    const level = share === null ? 'ok' : share >= 1 ? 'over' : share >= BUDGET_WARN_SHARE ? 'warn' : 'ok';
    return { capUsd, todayUsd: today.usd, monthUsd: month.usd, todayTokens: today.tokens, monthTokens: month.tokens, share, level };
  }

  /** Throws BudgetExceededError when a new hosted turn would go over the cap. */
  check(): void {
    const status = this.status();
    if (status.level === 'over') throw new BudgetExceededError(status);
  }
}

/** A hosted processor that asks the budget before each turn; turns already streaming are never cut. */
export class BudgetedProcessor implements Processor {
  constructor(
    private readonly inner: Processor,
    private readonly guard: BudgetGuard,
  ) {}

  get kind(): Processor['kind'] {
    return this.inner.kind;
  }

  async *chat(request: ChatRequest, signal: AbortSignal): AsyncGenerator<ChatEvent> {
    this.guard.check();
    yield* this.inner.chat(request, signal);
  }
}

/** The hosted processor's card with the budget on it: amber from 80 % of the cap, with the figures a designer checks. */
export function withBudget<T extends { id: string; status: string; lastError?: string; hint?: string; resources: Record<string, unknown> }>(
  card: T,
  status: BudgetStatus,
): T {
  const resources = {
    ...card.resources,
    hostedTokensToday: status.todayTokens,
    hostedCostTodayUsd: status.todayUsd,
    hostedTokensThisMonth: status.monthTokens,
    hostedCostThisMonthUsd: status.monthUsd,
    budgetCapUsd: status.capUsd,
  };
  if (status.level === 'ok' || card.status !== 'healthy') return { ...card, resources };
  const used = `$${status.monthUsd.toFixed(2)} of the $${(status.capUsd ?? 0).toFixed(2)} monthly budget`;
  const lastError =
    status.level === 'over'
      ? `Budget cap reached (${used}): new hosted turns are refused`
      : `${Math.floor((status.share ?? 0) * 100)} % of the budget used (${used})`;
  return { ...card, resources, status: 'degraded', lastError, hint: 'Raise the monthly cap in Settings → Hosted budget.' };
}
