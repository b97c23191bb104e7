import type { PromptBudget } from '../../../../shared/chat';

/**
 * The parts a turn cannot do without (system prompt, persona, examples, triggered lore, the latest
 * message, post-history instructions) do not fit the context on their own. The turn fails rather than
 * send a prompt with the character or its lore cut off.
 */
export class PromptOverflowError extends Error {
  constructor(
    /** Estimated tokens of each required part. */
    readonly parts: Record<string, number>,
    readonly required: number,
    readonly budget: PromptBudget,
  ) {
    const list = Object.entries(parts)
      .filter(([, n]) => n > 0)
      .map(([name, n]) => `${name} ${n}`)
      .join(', ');
    super(
      `the prompt does not fit the context: the persona and triggered lore need ${required} tokens (${list}) ` +
        `but only ${budget.available} are available (num_ctx ${budget.numCtx} − ${budget.replyReserve} reserved for the reply). ` +
        `Raise num_ctx, shorten the card, or lower the lorebook's token_budget.`,
    );
    this.name = 'PromptOverflowError';
  }
}
