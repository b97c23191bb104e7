import { describe, expect, it } from 'vitest';
import { emptyTimedEffectState, timedEffectStateSchema, type LoreEntry, type TimedEffectState } from '../../shared/lorebook';
import type { LoreMessage } from '../../electron/host/lore/activation';
import { book, run } from './support';

/**
 * Plays a conversation one message at a time (the key "storm" where the script says so), carrying the
 * timed-effect state from each activation to the next, and returns for each length what happened to the entry.
 */
function play(entry: Partial<LoreEntry>, script: string): string[] {
  const b = book([{ comment: 'storm', keys: ['storm'], ...entry }]);
  const history: LoreMessage[] = [];
  let state: TimedEffectState = emptyTimedEffectState();
  const out: string[] = [];
  for (const ch of script) {
    history.push({ role: history.length % 2 ? 'assistant' : 'user', content: ch === 'S' ? 'a storm' : 'calm' });
    const result = run(b, history, { state, scanDepth: 1 });
    state = timedEffectStateSchema.parse(result.state);
    const a = result.activated[0];
    out.push(a ? a.trace.reason : result.skipped[0]!.reason);
  }
  return out;
}

describe('timed effects, counted in messages', () => {
  it('sticky N keeps the entry active for N messages after it fired', () => {
    expect(play({ sticky: 2 }, 'S...')).toEqual(['key', 'sticky', 'no_key_match', 'no_key_match']);
  });

  it('cooldown N keeps it from firing again for N messages', () => {
    expect(play({ cooldown: 3 }, 'SSSSS')).toEqual(['key', 'cooldown', 'cooldown', 'key', 'cooldown']);
  });

  it('a cooldown after a sticky starts when the sticky ends', () => {
    expect(play({ sticky: 2, cooldown: 2 }, 'SSSSSS')).toEqual(['key', 'sticky', 'cooldown', 'cooldown', 'key', 'sticky']);
  });

  it('delay N: not before the chat has N messages', () => {
    expect(play({ delay: 3 }, 'SSSS')).toEqual(['delay', 'delay', 'key', 'key']);
  });

  it('a sticky entry skips its probability roll', () => {
    // probability 1: only the first fire can pass, so the next messages must come from the sticky itself.
    const seeds = Array.from({ length: 400 }, (_, seed) => seed);
    const seed = seeds.find(
      (s) => run(book([{ keys: ['storm'], probability: 1 }]), [{ role: 'user', content: 'storm' }], { seed: s }).activated.length,
    );
    expect(seed).toBeDefined();
    const b = book([{ keys: ['storm'], probability: 1, sticky: 3 }]);
    const first = run(b, [{ role: 'user', content: 'storm' }], { seed });
    const second = run(
      b,
      [
        { role: 'user', content: 'storm' },
        { role: 'assistant', content: 'storm' },
      ],
      { seed: seed! + 1, state: first.state },
    );
    expect(second.activated[0]?.trace).toMatchObject({ reason: 'sticky' });
    expect(second.activated[0]?.trace.probability).toBeUndefined();
  });

  it('a regenerated reply (the chat did not advance) drops a sticky set at that length', () => {
    const b = book([{ keys: ['storm'], sticky: 5 }]);
    const first = run(b, [{ role: 'user', content: 'storm' }]);
    expect(first.state.sticky['book.0']).toEqual({ start: 1, end: 6, protected: false });
    const regenerated = run(b, [{ role: 'user', content: 'calm' }], { state: first.state });
    expect(regenerated.activated).toEqual([]);
    expect(regenerated.state.sticky).toEqual({});
  });

  it('keeps effects of entries from books not given this time until their time is up', () => {
    const state: TimedEffectState = { sticky: { 'other.3': { start: 1, end: 4, protected: false } }, cooldown: {}, fired: [] };
    const b = book([{ keys: ['x'] }]);
    expect(
      run(
        b,
        [
          { role: 'user', content: 'a' },
          { role: 'user', content: 'b' },
        ],
        { state },
      ).state.sticky,
    ).toHaveProperty('other.3');
    expect(run(b, Array(4).fill({ role: 'user', content: 'a' }), { state }).state.sticky).toEqual({});
  });
});
