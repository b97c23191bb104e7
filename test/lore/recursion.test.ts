import { describe, expect, it } from 'vitest';
import type { LoreEntry } from '../../shared/lorebook';
import { book, chat, fired, run, skipReason } from './support';

const chain: Partial<LoreEntry>[] = [
  { comment: 'moonwell', keys: ['Moonwell'], content: 'The Moonwell lies under the chapel of Saint Orla.' },
  { comment: 'orla', keys: ['Saint Orla'], content: 'Saint Orla was a smith.' },
  { comment: 'smiths', keys: ['smith'], content: 'Smiths of Emberfall swear on the anvil.' },
  { comment: 'anvil', keys: ['anvil'], content: 'The anvil is cold iron.' },
];
const history = chat('Tell me of the Moonwell.');

describe('recursive scanning', () => {
  it('is off unless the book (or the option) turns it on', () => {
    expect(fired(book(chain), history)).toEqual(['moonwell']);
  });

  it('follows content to further entries and traces which entry each recursed from', () => {
    const result = run(book(chain, { recursiveScanning: true }), history);
    expect(result.passes).toBe(5);
    const byName = Object.fromEntries(result.activated.map((a) => [a.comment, a.trace]));
    expect(byName.moonwell).toMatchObject({ reason: 'key', key: 'Moonwell', pass: 1 });
    expect(byName.orla).toMatchObject({
      reason: 'recursion',
      key: 'Saint Orla',
      recursedFrom: { entry: '0', comment: 'moonwell' },
      pass: 2,
    });
    expect(byName.smiths).toMatchObject({ reason: 'recursion', recursedFrom: { comment: 'orla' }, pass: 3 });
    expect(byName.anvil).toMatchObject({ reason: 'recursion', recursedFrom: { comment: 'smiths' }, pass: 4 });
    expect(byName.orla!.matchedIn).toMatchObject({ kind: 'entry', excerpt: 'The Moonwell lies under the chapel of Saint Orla.' });
  });

  it('stops at the step limit and says which entries it left out', () => {
    const result = run(book(chain, { recursiveScanning: true }), history, { maxRecursionSteps: 2 });
    expect(result.activated.map((a) => a.comment).sort()).toEqual(['moonwell', 'orla']);
    expect(skipReason(result, 'smiths')).toBe('recursion_limit');
    expect(skipReason(result, 'anvil')).toBe('no_key_match');
  });

  it('excludeRecursion: only the chat can trigger the entry', () => {
    const entries = chain.map((e) => (e.comment === 'orla' ? { ...e, excludeRecursion: true } : e));
    const result = run(book(entries, { recursiveScanning: true }), history);
    expect(result.activated.map((a) => a.comment)).toEqual(['moonwell']);
    expect(skipReason(result, 'orla')).toBe('excluded_from_recursion');
    expect(fired(book(entries, { recursiveScanning: true }), chat('Saint Orla?'))).toContain('orla');
  });

  it('preventRecursion: the entry fires, but its content triggers nothing', () => {
    const entries = chain.map((e) => (e.comment === 'moonwell' ? { ...e, preventRecursion: true } : e));
    expect(fired(book(entries, { recursiveScanning: true }), history)).toEqual(['moonwell']);
  });

  it('delayUntilRecursion: the entry waits for a recursion pass (and its level)', () => {
    const b = book(
      [
        { comment: 'opener', keys: ['gate'], content: 'The gate is sealed by the warden.' },
        { comment: 'warden', keys: ['warden', 'gate'], delayUntilRecursion: true },
        { comment: 'late', keys: ['gate'], delayUntilRecursion: 2 },
      ],
      { recursiveScanning: true },
    );
    const result = run(b, chat('the gate'));
    const byName = Object.fromEntries(result.activated.map((a) => [a.comment, a.trace]));
    expect(byName.opener!.pass).toBe(1);
    expect(byName.warden).toMatchObject({ pass: 2 });
    // Level 1 holds while it activates something new (pass 3 finds nothing), then level 2 opens.
    expect(byName.late).toMatchObject({ pass: 4 });
    expect(result.passes).toBe(5); // the last pass finds nothing new
    // Without a level-1 entry, level 2 is the first level and opens at the first recursion pass.
    expect(fired(book(b.entries.slice(0, 1).concat(b.entries[2]!), { recursiveScanning: true }), chat('the gate'))).toContain('late');
  });

  it("a book with recursiveScanning false is not triggered by other books' content", () => {
    const main = book([chain[0]!], { recursiveScanning: true });
    const closed = book([chain[1]!], { recursiveScanning: false });
    const open = book([chain[1]!], { recursiveScanning: true });
    expect(
      fired(
        [
          { id: 'a', book: main },
          { id: 'b', book: closed },
        ],
        history,
      ),
    ).toEqual(['moonwell']);
    expect(
      fired(
        [
          { id: 'a', book: main },
          { id: 'b', book: open },
        ],
        history,
      ).sort(),
    ).toEqual(['moonwell', 'orla']);
  });
});
