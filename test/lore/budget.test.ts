import { describe, expect, it } from 'vitest';
import type { LoreEntry } from '../../shared/lorebook';
import { EVICTION_ORDER } from '../../electron/host/lore/activation';
import { book, chat, run, skipReason } from './support';

/** Content of n tokens under the studio estimate (4 characters a token). */
const tokens = (n: number) => 'x'.repeat(n * 4);
const four: Partial<LoreEntry>[] = [
  { comment: 'low', keys: ['k'], order: 10, content: tokens(10) },
  { comment: 'high', keys: ['k'], order: 30, content: tokens(40) },
  { comment: 'mid', keys: ['k'], order: 20, content: tokens(40) },
  { comment: 'tiny', keys: ['k'], order: 5, content: tokens(1) },
];

describe('token budget', () => {
  it('admits by order, highest first; the entry that reaches the budget and every one after it are evicted', () => {
    const result = run(book(four), chat('k'), { tokenBudget: 90 });
    expect(result.activated.map((a) => a.comment)).toEqual(['mid', 'high']);
    expect(result.tokens).toBe(80);
    expect(result.skipped.map((s) => [s.comment, s.reason])).toEqual([
      ['low', 'budget_evicted'],
      ['tiny', 'budget_evicted'],
    ]);
    expect(result.skipped[0]!.detail).toContain(EVICTION_ORDER);
    expect(run(book(four), chat('k'), { tokenBudget: 91 }).activated).toHaveLength(3); // 90 < 91; then 91 reaches it
  });

  it("uses the first book's tokenBudget when the caller gives none; null means no budget", () => {
    expect(run(book(four, { tokenBudget: 90 }), chat('k')).tokenBudget).toBe(90);
    expect(run(book(four, { tokenBudget: 90 }), chat('k')).activated).toHaveLength(2);
    expect(run(book(four, { tokenBudget: 90 }), chat('k'), { tokenBudget: null }).activated).toHaveLength(4);
  });

  it('sticky entries are admitted first', () => {
    const entries = four.map((e) => (e.comment === 'low' ? { ...e, sticky: 5 } : e));
    const first = run(book(entries), chat('k'));
    const next = run(book(entries), chat('k', 'k'), { tokenBudget: 60, state: first.state });
    expect(next.activated.map((a) => a.comment).sort()).toEqual(['high', 'low']);
  });

  it('@@ignore_on_max_context entries are evicted first, whatever their order', () => {
    const entries = four.map((e) => (e.comment === 'high' ? { ...e, content: `@@ignore_on_max_context\n${tokens(40)}` } : e));
    const result = run(book(entries), chat('k'), { tokenBudget: 90 });
    expect(result.activated.map((a) => a.comment)).toEqual(['tiny', 'low', 'mid']);
    expect(skipReason(result, 'high')).toBe('budget_evicted');
  });

  it('ignoreBudget entries are always admitted', () => {
    const entries = four.map((e) => (e.comment === 'tiny' ? { ...e, ignoreBudget: true } : e));
    const result = run(book(entries), chat('k'), { tokenBudget: 90 });
    expect(result.activated.map((a) => a.comment)).toEqual(['tiny', 'mid', 'high']);
  });

  it('once the budget is reached, recursion stops', () => {
    const entries: Partial<LoreEntry>[] = [
      { comment: 'opener', keys: ['k'], order: 30, content: `gate ${tokens(10)}` },
      { comment: 'filler', keys: ['k'], order: 20, content: tokens(40) },
      { comment: 'gate', keys: ['gate'], order: 10, content: 'small' },
    ];
    const result = run(book(entries, { recursiveScanning: true }), chat('k'), { tokenBudget: 30 });
    expect(result.activated.map((a) => a.comment)).toEqual(['opener']);
    expect(result.passes).toBe(1);
    expect(run(book(entries, { recursiveScanning: true }), chat('k')).activated.map((a) => a.comment)).toContain('gate');
  });
});
