import { describe, expect, it } from 'vitest';
import { book, chat, run, skipReason } from './support';

const entries = Array.from({ length: 40 }, (_, i) => ({ comment: `p${i}`, keys: ['storm'], probability: 50 }));
const firedSet = (seed: number) =>
  run(book(entries), chat('a storm'), { seed })
    .activated.map((a) => a.comment)
    .sort();

describe('probability', () => {
  it('the same seed gives the same rolls; another seed gives others', () => {
    expect(firedSet(7)).toEqual(firedSet(7));
    expect(firedSet(7)).not.toEqual(firedSet(8));
  });

  it('about the stated share fires (50% of 40 entries, within a wide margin)', () => {
    const counts = [1, 2, 3, 4, 5].map((seed) => firedSet(seed).length);
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
    expect(mean).toBeGreaterThan(12);
    expect(mean).toBeLessThan(28);
  });

  it('records the roll and the chance for fired and failed entries alike', () => {
    const result = run(book(entries), chat('a storm'), { seed: 3 });
    for (const a of result.activated) {
      expect(a.trace.probability!.roll).toBeLessThanOrEqual(50);
      expect(a.trace.probability!.chance).toBe(50);
    }
    const failed = result.skipped.filter((s) => s.reason === 'probability_failed');
    expect(failed.length).toBeGreaterThan(0);
    for (const s of failed) expect(s.probability!.roll).toBeGreaterThan(50);
  });

  it("an entry's roll does not change when unrelated entries are added", () => {
    const alone = run(book([entries[0]!]), chat('a storm'), { seed: 11 });
    const crowded = run(book([entries[0]!, { comment: 'other', keys: ['storm'], probability: 30 }]), chat('a storm'), { seed: 11 });
    const roll = (r: typeof alone) =>
      r.activated.find((a) => a.comment === 'p0')?.trace.probability?.roll ?? r.skipped.find((s) => s.comment === 'p0')?.probability?.roll;
    expect(roll(crowded)).toBe(roll(alone));
  });

  it('with no useProbability flag, a given probability rolls and an absent one does not', () => {
    const result = run(book([{ keys: ['storm'], probability: 0 }, { keys: ['storm'] }]), chat('storm'), { seed: 5 });
    expect(skipReason(result, 'e0')).toBe('probability_failed');
    expect(result.activated.map((a) => [a.comment, a.trace.probability])).toEqual([['e1', undefined]]);
  });

  it('probability 0 never fires; 100 or useProbability false never rolls', () => {
    const result = run(
      book([
        { keys: ['storm'], probability: 0 },
        { keys: ['storm'], probability: 100 },
        { keys: ['storm'], probability: 0, useProbability: false },
      ]),
      chat('storm'),
      { seed: 5 },
    );
    expect(skipReason(result, 'e0')).toBe('probability_failed');
    expect(result.activated.map((a) => [a.comment, a.trace.probability])).toEqual([
      ['e2', undefined],
      ['e1', undefined],
    ]);
  });
});
