import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lorebookSchema, worldInfoFileSchema, type LoreEntry } from '../../shared/lorebook';
import { worldInfoToLorebook } from '../../shared/lorebook-convert';
import { activationTraceSchema } from '../../shared/lorebook-trace';
import { activateLore } from '../../electron/host/lore/activation';
import { chat } from './support';

const harbor = worldInfoToLorebook(
  worldInfoFileSchema.parse(JSON.parse(readFileSync(new URL('./fixtures/harbor-world-info.json', import.meta.url), 'utf8'))),
);

describe('activation trace', () => {
  it('what the engine returns is what the shared trace schema describes', () => {
    const history = chat('Any news from pier 9? Contraband, they say.', 'Varn came asking about a debt and money.', 'Varn again');
    const trace = activateLore([{ id: 'harbor', book: harbor }], history, { seed: 3, recursiveScanning: true, tokenBudget: 40 });
    expect(activationTraceSchema.parse(trace)).toStrictEqual(trace);
    expect(trace.activated.length + trace.skipped.length).toBe(harbor.entries.length);
  });

  it('is deterministic given the seed (generated books with probability, groups and recursion)', () => {
    const word = fc.constantFrom('gate', 'storm', 'harbor', 'Varn', 'debt');
    const entry = fc.record(
      {
        keys: fc.array(word, { maxLength: 2 }),
        secondaryKeys: fc.array(word, { maxLength: 2 }),
        selectiveLogic: fc.constantFrom('and_any', 'not_all', 'not_any', 'and_all'),
        content: fc.array(word, { maxLength: 3 }).map((w) => w.join(' ')),
        probability: fc.integer({ min: 0, max: 100 }),
        group: fc.constantFrom('', 'a', 'b', 'a, b'),
        groupWeight: fc.integer({ min: 1, max: 100 }),
        order: fc.integer({ min: 0, max: 5 }),
        constant: fc.boolean(),
        sticky: fc.integer({ min: 0, max: 2 }),
      },
      { requiredKeys: ['keys', 'content'] },
    );
    const input = fc.record({
      entries: fc.array(entry, { maxLength: 12 }),
      messages: fc.array(
        fc.array(word, { maxLength: 4 }).map((w) => w.join(' ')),
        { minLength: 1, maxLength: 4 },
      ),
      seed: fc.integer(),
    });
    fc.assert(
      fc.property(input, ({ entries, messages, seed }) => {
        const book = lorebookSchema.parse({ recursiveScanning: true, entries: entries as Partial<LoreEntry>[] });
        const once = activateLore([{ id: 'b', book }], chat(...messages), { seed });
        expect(activateLore([{ id: 'b', book }], chat(...messages), { seed })).toStrictEqual(once);
        expect(once.activated.length + once.skipped.length).toBe(entries.length);
      }),
      { seed: 20261130, numRuns: 200 },
    );
  });
});

describe('entry names in a trace', () => {
  it("never gives two entries of a book one name: an index that is another entry's id becomes #index", () => {
    const book = lorebookSchema.parse({
      entries: [
        { id: 1, keys: ['a'], content: 'A' },
        { keys: ['b'], content: 'B' },
        { keys: ['c'], content: 'C' },
      ],
    });
    const trace = activateLore([{ id: 'b', book }], chat('a b c'), { seed: 1 });
    expect(trace.activated.map((a) => a.entry).sort()).toEqual(['#1', '1', '2']);
  });
});
