import { describe, expect, it } from 'vitest';
import type { UsageFigures } from '../../electron/host/usage/usage-aggregates';
import { BudgetedProcessor, BudgetExceededError, BudgetGuard, withBudget } from '../../electron/host/usage/budget-guard';
import type { ChatEvent, Processor } from '../../electron/host/processors/processor';

const row = (processor: 'local' | 'hosted', costUsd: number) => ({
  processor,
  calls: 1,
  inputTokens: 100,
  outputTokens: 50,
  totalLatencyMs: 10,
  meanLatencyMs: 10,
  costUsd,
  unpricedCalls: 0,
});
function tracker(monthHostedUsd: number): { figures(): UsageFigures } {
  return {
    figures: () => ({
      today: { claude: row('hosted', 0.5), 'llama3.2': row('local', 0) },
      thisMonth: { claude: row('hosted', monthHostedUsd), 'llama3.2': row('local', 0) },
      run: {},
      allTime: {},
    }),
  };
}

describe('BudgetGuard', () => {
  it('counts hosted spending only, warns at 80 % and is over at the cap', () => {
    expect(new BudgetGuard(tracker(7.9), () => 10).status()).toMatchObject({
      level: 'ok',
      monthUsd: 7.9,
      todayUsd: 0.5,
      monthTokens: 150,
      todayTokens: 150,
    });
    expect(new BudgetGuard(tracker(8), () => 10).status().level).toBe('warn');
    expect(new BudgetGuard(tracker(10), () => 10).status().level).toBe('over');
    expect(new BudgetGuard(tracker(1000), () => null).status()).toMatchObject({ level: 'ok', share: null });
  });

  it('refuses a new hosted turn over the cap, before anything is sent; a raised cap lets it through', async () => {
    let cap = 10;
    let sent = 0;
    const inner: Processor = {
      kind: 'hosted',
      async *chat(): AsyncGenerator<ChatEvent> {
        sent++;
        yield { type: 'token', text: 'hi' } as ChatEvent;
      },
    };
    const processor = new BudgetedProcessor(inner, new BudgetGuard(tracker(10.5), () => cap));
    const consume = async () => {
      for await (const _ of processor.chat(
        { npcId: 'n', model: 'm', system: '', messages: [], sampling: {} } as never,
        new AbortController().signal,
      ))
        void _;
    };
    const refused = await consume().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BudgetExceededError);
    expect((refused as Error).message).toBe(
      "Hosted chat stopped: this month's Bedrock cost is $10.50, which has reached the budget cap of $10.00. No request was sent.",
    );
    expect(sent).toBe(0);
    cap = 20;
    await consume();
    expect(sent).toBe(1);
  });

  it('puts the budget on the hosted card, amber from 80 %', () => {
    const card = { id: 'hosted-processor', status: 'healthy', resources: { inFlight: 0 } };
    const warned = withBudget(card, new BudgetGuard(tracker(8.5), () => 10).status());
    expect(warned).toMatchObject({ status: 'degraded', lastError: '85 % of the budget used ($8.50 of the $10.00 monthly budget)' });
    expect(warned.resources).toMatchObject({ hostedCostThisMonthUsd: 8.5, budgetCapUsd: 10 });
    expect(withBudget(card, new BudgetGuard(tracker(1), () => 10).status()).status).toBe('healthy');
  });
});
