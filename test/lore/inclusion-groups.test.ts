import { describe, expect, it } from 'vitest';
import type { LoreEntry } from '../../shared/lorebook';
import { book, chat, run, skipReason } from './support';

const weather = (extra: Partial<LoreEntry>[] = []): Partial<LoreEntry>[] => [
  { comment: 'rain', keys: ['weather'], group: 'sky', groupWeight: 10, ...extra[0] },
  { comment: 'sun', keys: ['weather'], group: 'sky', groupWeight: 80, ...extra[1] },
  { comment: 'fog', keys: ['weather'], group: 'sky', groupWeight: 10, ...extra[2] },
];
const winner = (entries: Partial<LoreEntry>[], seed: number, options = {}) =>
  run(book(entries), chat('what weather?'), { seed, ...options }).activated.map((a) => a.comment);

describe('inclusion groups', () => {
  it('keeps one entry per group and reports the others as having lost to it', () => {
    const result = run(book(weather()), chat('what weather?'), { seed: 4 });
    expect(result.activated).toHaveLength(1);
    const won = result.activated[0]!;
    expect(won.trace.group).toMatchObject({ group: 'sky', how: 'weight', winner: { comment: won.comment } });
    for (const s of result.skipped) {
      expect(s.reason).toBe('group_lost');
      expect(s.group?.winner?.comment).toBe(won.comment);
    }
  });

  it('draws by weight, the same for the same seed', () => {
    const seeds = Array.from({ length: 200 }, (_, i) => i);
    const wins = seeds.map((s) => winner(weather(), s)[0]);
    expect(seeds.map((s) => winner(weather(), s)[0])).toEqual(wins);
    const sun = wins.filter((w) => w === 'sun').length;
    expect(sun).toBeGreaterThan(120); // 80% of 200, wide margin
    expect(sun).toBeLessThan(190);
  });

  it('groupOverride wins outright, the highest order first', () => {
    const entries = weather([{ groupOverride: true, order: 5 }, {}, { groupOverride: true, order: 9 }]);
    for (const seed of [1, 2, 3]) expect(winner(entries, seed)).toEqual(['fog']);
  });

  it('group scoring keeps the entry that matched the most keys', () => {
    const entries: Partial<LoreEntry>[] = [
      { comment: 'one', keys: ['weather'], group: 'sky', groupWeight: 1000 },
      { comment: 'two', keys: ['weather', 'rain'], group: 'sky', groupWeight: 1 },
    ];
    const result = run(book(entries), chat('weather and rain'), { useGroupScoring: true, seed: 1 });
    expect(result.activated.map((a) => a.comment)).toEqual(['two']);
    expect(result.skipped[0]!.group).toMatchObject({ how: 'score', winner: { comment: 'two' } });
  });

  it('an entry may be in several groups (comma separated); a group won earlier keeps none later', () => {
    const entries: Partial<LoreEntry>[] = [
      { comment: 'opener', keys: ['harbor'], group: 'port', content: 'The harbor smells of tar.' },
      { comment: 'tar', keys: ['tar'], group: 'port, smell' },
    ];
    const result = run(book(entries, { recursiveScanning: true }), chat('the harbor'));
    expect(result.activated.map((a) => a.comment)).toEqual(['opener']);
    expect(skipReason(result, 'tar')).toBe('group_lost');
    expect(result.skipped[0]!.group).toMatchObject({ group: 'port', how: 'already_activated' });
  });

  it('a sticky member wins its group', () => {
    const entries = weather([{ sticky: 3 }]);
    const rainSeed = Array.from({ length: 500 }, (_, i) => i).find((s) => winner(entries, s)[0] === 'rain');
    expect(rainSeed).toBeDefined();
    const fired = run(book(entries), chat('weather'), { seed: rainSeed });
    // A seed under which rain would lose the draw: the sticky must win anyway.
    const losing = Array.from({ length: 500 }, (_, i) => i).find((s) => winner(entries, s)[0] !== 'rain')!;
    const next = run(book(entries), chat('weather', 'weather'), { seed: losing, state: fired.state });
    expect(next.activated.map((a) => [a.comment, a.trace.reason])).toEqual([['rain', 'sticky']]);
    expect(next.skipped.map((s) => s.group?.how)).toEqual(['sticky', 'sticky']);
  });
});
