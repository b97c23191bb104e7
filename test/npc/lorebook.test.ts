import { describe, expect, it } from 'vitest';
import { characterBookSchema, type CharacterBook } from '../../electron/host/npc/npc-schema';
import { DEFAULT_SCAN_DEPTH, selectLorebookEntries } from '../../electron/host/npc/prompt/lorebook';

type EntryInput = Partial<CharacterBook['entries'][number]> & { keys: string[] };

function book(entries: EntryInput[], extra: Partial<CharacterBook> = {}): CharacterBook {
  return characterBookSchema.parse({ extensions: {}, ...extra, entries: entries.map((e, i) => ({ content: `entry ${i}`, extensions: {}, ...e })) });
}

const names = (book_: CharacterBook, messages: string[]) => selectLorebookEntries(book_, messages).included.map((t) => t.entry.content);

describe('lorebook trigger matrix', () => {
  const cases: { name: string; entry: EntryInput; messages: string[]; scanDepth?: number; triggers: boolean }[] = [
    { name: 'key in the latest message', entry: { keys: ['Moonwell'] }, messages: ['hi', 'tell me of the Moonwell'], triggers: true },
    { name: 'no key present', entry: { keys: ['Moonwell'] }, messages: ['hi', 'tell me of the forge'], triggers: false },
    { name: 'any of several keys', entry: { keys: ['well', 'spring'] }, messages: ['the spring is cold'], triggers: true },
    { name: 'keys match case-insensitively by default', entry: { keys: ['MOONWELL'] }, messages: ['the moonwell'], triggers: true },
    { name: 'case_sensitive: wrong case does not match', entry: { keys: ['Varn'], case_sensitive: true }, messages: ['varn is here'], triggers: false },
    { name: 'case_sensitive: exact case matches', entry: { keys: ['Varn'], case_sensitive: true }, messages: ['Varn is here'], triggers: true },
    { name: 'key only beyond scan_depth', entry: { keys: ['Moonwell'] }, messages: ['the Moonwell', 'a', 'b'], scanDepth: 2, triggers: false },
    { name: 'key just inside scan_depth', entry: { keys: ['Moonwell'] }, messages: ['the Moonwell', 'a', 'b'], scanDepth: 3, triggers: true },
    { name: 'scan_depth 0 scans nothing', entry: { keys: ['Moonwell'] }, messages: ['the Moonwell'], scanDepth: 0, triggers: false },
    { name: 'constant without any key', entry: { keys: [], constant: true }, messages: ['hello'], triggers: true },
    { name: 'constant even with scan_depth 0', entry: { keys: ['x'], constant: true }, messages: ['hello'], scanDepth: 0, triggers: true },
    { name: 'disabled entry with a matching key', entry: { keys: ['Moonwell'], enabled: false }, messages: ['the Moonwell'], triggers: false },
    { name: 'disabled constant entry', entry: { keys: [], constant: true, enabled: false }, messages: ['x'], triggers: false },
    { name: 'selective: primary without secondary', entry: { keys: ['Varn'], selective: true, secondary_keys: ['debt', 'money'] }, messages: ['Varn came by'], triggers: false },
    { name: 'selective: primary and secondary', entry: { keys: ['Varn'], selective: true, secondary_keys: ['debt', 'money'] }, messages: ['Varn wants his money'], triggers: true },
    { name: 'selective: secondary alone', entry: { keys: ['Varn'], selective: true, secondary_keys: ['money'] }, messages: ['no money'], triggers: false },
    { name: 'selective with no secondary keys: primary is enough', entry: { keys: ['Varn'], selective: true, secondary_keys: [] }, messages: ['Varn'], triggers: true },
    { name: 'secondary keys ignored when not selective', entry: { keys: ['Varn'], selective: false, secondary_keys: ['money'] }, messages: ['Varn'], triggers: true },
    { name: 'a blank key never matches', entry: { keys: ['', '  '] }, messages: ['anything at all'], triggers: false },
    { name: 'secondary key in an older scanned message', entry: { keys: ['Varn'], selective: true, secondary_keys: ['money'] }, messages: ['money talk', 'Varn'], scanDepth: 2, triggers: true },
  ];

  it.each(cases)('$name → $triggers', ({ entry, messages, scanDepth, triggers }) => {
    const b = book([entry], scanDepth === undefined ? {} : { scan_depth: scanDepth });
    expect(names(b, messages)).toEqual(triggers ? ['entry 0'] : []);
  });

  it(`scans the last ${DEFAULT_SCAN_DEPTH} messages when the book sets no scan_depth`, () => {
    const b = book([{ keys: ['Moonwell'] }]);
    expect(names(b, ['Moonwell', ...Array(DEFAULT_SCAN_DEPTH - 1).fill('x')])).toEqual(['entry 0']);
    expect(names(b, ['Moonwell', ...Array(DEFAULT_SCAN_DEPTH).fill('x')])).toEqual([]);
  });

  it('orders included entries by insertion_order, then book order, and reports position and why', () => {
    const b = book([
      { keys: ['a'], insertion_order: 30, content: 'third' },
      { keys: ['a'], insertion_order: 10, content: 'first', position: 'after_char' },
      { keys: ['a'], insertion_order: 20, content: 'second-a' },
      { keys: [], insertion_order: 20, content: 'second-b', constant: true },
    ]);
    const sel = selectLorebookEntries(b, ['a']);
    expect(sel.included.map((t) => [t.entry.content, t.position, t.reason])).toEqual([
      ['first', 'after_char', 'key'],
      ['second-a', 'before_char', 'key'],
      ['second-b', 'before_char', 'constant'],
      ['third', 'before_char', 'key'],
    ]);
    expect(sel.included[0]!.matchedKeys).toEqual(['a']);
  });

  it('keeps within token_budget by dropping lower priority first, and reports what it dropped', () => {
    const text = (n: number) => 'x'.repeat(n * 4); // n tokens
    const b = book(
      [
        { keys: ['k'], content: text(40), priority: 1, insertion_order: 1, name: 'low' },
        { keys: ['k'], content: text(40), priority: 9, insertion_order: 2, name: 'high' },
        { keys: ['k'], content: text(40), priority: 5, insertion_order: 3, name: 'mid' },
        { keys: ['k'], content: text(10), insertion_order: 4, name: 'small-unprioritised' },
      ],
      { token_budget: 95 },
    );
    const sel = selectLorebookEntries(b, ['k']);
    expect(sel.included.map((t) => t.entry.name)).toEqual(['high', 'mid']);
    expect(sel.droppedForBudget.map((t) => t.entry.name).sort()).toEqual(['low', 'small-unprioritised']);
    expect(sel.tokens).toBe(80);
    expect(selectLorebookEntries({ ...b, token_budget: undefined }, ['k']).included).toHaveLength(4);
  });

  it('with recursive_scanning, lore that names another key triggers it too', () => {
    const entries: EntryInput[] = [
      { keys: ['Moonwell'], content: 'The Moonwell lies under the chapel of Saint Orla.' },
      { keys: ['Saint Orla'], content: 'Saint Orla was a smith.' },
      { keys: ['smith'], content: 'Smiths of Emberfall swear on the anvil.' },
    ];
    expect(names(book(entries), ['the Moonwell?'])).toEqual(['The Moonwell lies under the chapel of Saint Orla.']);
    const sel = selectLorebookEntries(book(entries, { recursive_scanning: true }), ['the Moonwell?']);
    expect(sel.included.map((t) => t.reason)).toEqual(['key', 'recursive', 'recursive']);
  });

  it('renders content with the given function and returns nothing without a book', () => {
    const b = book([{ keys: ['forge'], content: '{{char}} owns the forge.' }]);
    expect(selectLorebookEntries(b, ['forge'], (t) => t.replace('{{char}}', 'Mira')).included[0]!.content).toBe('Mira owns the forge.');
    expect(selectLorebookEntries(undefined, ['forge']).included).toEqual([]);
  });
});
