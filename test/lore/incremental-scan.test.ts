import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lorebookSchema, type LoreEntry } from '../../shared/lorebook';
import { activateLore } from '../../electron/host/lore/activation';
import { chat } from './support';

/**
 * Recursion passes search an entry that matched nothing only in the recursion text added since (the chat does
 * not change between passes). The outcome must be exactly SillyTavern's full rescan of every pass.
 */
describe('incremental recursion scan', () => {
  it('gives the same trace as rescanning everything every pass (generated books)', () => {
    const word = fc.constantFrom('gate', 'storm', 'Harbor', 'varn', 'debt', 'pier 9', 'bell', 'tide');
    const key = fc.oneof(
      { weight: 6, arbitrary: word },
      { weight: 1, arbitrary: fc.constantFrom('/pier\\s*\\d/i', '/b.ll/', '/gate[\\s\\S]*bell/') },
    );
    const entry = fc.record(
      {
        keys: fc.array(key, { maxLength: 3 }),
        secondaryKeys: fc.array(word, { maxLength: 2 }),
        selective: fc.boolean(),
        selectiveLogic: fc.constantFrom('and_any', 'not_all', 'not_any', 'and_all'),
        content: fc.array(word, { maxLength: 4 }).map((w) => w.join(' ')),
        constant: fc.boolean(),
        caseSensitive: fc.boolean(),
        matchWholeWords: fc.boolean(),
        scanDepth: fc.integer({ min: 0, max: 3 }),
        excludeRecursion: fc.boolean(),
        preventRecursion: fc.boolean(),
        delayUntilRecursion: fc.oneof(fc.boolean(), fc.integer({ min: 0, max: 3 })),
        probability: fc.integer({ min: 0, max: 100 }),
        group: fc.constantFrom('', 'a', 'b'),
        order: fc.integer({ min: 0, max: 5 }),
      },
      { requiredKeys: ['keys', 'content'] },
    );
    const input = fc.record({
      entries: fc.array(entry, { maxLength: 14 }),
      messages: fc.array(
        fc.array(word, { maxLength: 4 }).map((w) => w.join(' ')),
        { minLength: 1, maxLength: 4 },
      ),
      seed: fc.integer(),
      budget: fc.option(fc.integer({ min: 1, max: 60 }), { nil: null }),
      maxRecursionSteps: fc.integer({ min: 0, max: 4 }),
    });
    fc.assert(
      fc.property(input, ({ entries, messages, seed, budget, maxRecursionSteps }) => {
        const book = lorebookSchema.parse({ recursiveScanning: true, entries: entries as Partial<LoreEntry>[] });
        const options = { seed, tokenBudget: budget, maxRecursionSteps };
        const fast = activateLore([{ id: 'b', book }], chat(...messages), options);
        const full = activateLore([{ id: 'b', book }], chat(...messages), { ...options, rescanEveryPass: true });
        expect(fast).toStrictEqual(full);
      }),
      { seed: 20261130, numRuns: 400 },
    );
  });
});
