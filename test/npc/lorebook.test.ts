import { describe, expect, it } from 'vitest';
import { characterBookSchema, type CharacterBook } from '../../shared/npc';
import { LORE_DEFAULTS } from '../../shared/lorebook';
import { activateLore, type LoreMessage } from '../../electron/host/lore/activation';
import { npcLorebooks } from '../../electron/host/lore/npc-lore';
import { cardDataSchema } from '../../shared/npc';

/**
 * A card's own lorebook as the prompt reads it (npcLorebooks: card book → lorebook model → activateLore).
 * Where SillyTavern decides differently from the studio's first lorebook scanner, SillyTavern's behavior is
 * what these expect (noted at each case).
 */

type EntryInput = Partial<CharacterBook['entries'][number]> & { keys: string[] };

function book(entries: EntryInput[], extra: Partial<CharacterBook> = {}): CharacterBook {
  return characterBookSchema.parse({
    extensions: {},
    ...extra,
    entries: entries.map((e, i) => ({ content: `entry ${i}`, extensions: {}, ...e })),
  });
}

function traceOf(b: CharacterBook, messages: string[], render?: (t: string) => string) {
  const card = cardDataSchema.parse({ name: 'Mira', character_book: b });
  const { books } = npcLorebooks({ id: 'mira', card, studio: { processor: 'local', model: 'm', sampling: {} } }, null);
  const history: LoreMessage[] = messages.map((content, i) => ({ role: i % 2 === messages.length % 2 ? 'assistant' : 'user', content }));
  return activateLore(books, history, { seed: 1, ...(render ? { render } : {}) });
}

const contents = (b: CharacterBook, messages: string[]) => traceOf(b, messages).activated.map((a) => a.content);

describe('lorebook trigger matrix (a card book, through the activation engine)', () => {
  const cases: { name: string; entry: EntryInput; messages: string[]; scanDepth?: number; triggers: boolean }[] = [
    { name: 'key in the latest message', entry: { keys: ['Moonwell'] }, messages: ['hi', 'tell me of the Moonwell'], triggers: true },
    { name: 'no key present', entry: { keys: ['Moonwell'] }, messages: ['hi', 'tell me of the forge'], triggers: false },
    { name: 'any of several keys', entry: { keys: ['well', 'spring'] }, messages: ['the spring is cold'], triggers: true },
    { name: 'keys match case-insensitively by default', entry: { keys: ['MOONWELL'] }, messages: ['the moonwell'], triggers: true },
    {
      name: 'case_sensitive: wrong case does not match',
      entry: { keys: ['Varn'], case_sensitive: true },
      messages: ['varn is here'],
      triggers: false,
    },
    {
      name: 'case_sensitive: exact case matches',
      entry: { keys: ['Varn'], case_sensitive: true },
      messages: ['Varn is here'],
      triggers: true,
    },
    {
      name: 'key only beyond scan_depth',
      entry: { keys: ['Moonwell'] },
      messages: ['the Moonwell', 'a', 'b'],
      scanDepth: 2,
      triggers: false,
    },
    {
      name: 'key just inside scan_depth',
      entry: { keys: ['Moonwell'] },
      messages: ['the Moonwell', 'a', 'b'],
      scanDepth: 3,
      triggers: true,
    },
    { name: 'scan_depth 0 scans nothing', entry: { keys: ['Moonwell'] }, messages: ['the Moonwell'], scanDepth: 0, triggers: false },
    { name: 'constant without any key', entry: { keys: [], constant: true }, messages: ['hello'], triggers: true },
    { name: 'constant even with scan_depth 0', entry: { keys: ['x'], constant: true }, messages: ['hello'], scanDepth: 0, triggers: true },
    {
      name: 'disabled entry with a matching key',
      entry: { keys: ['Moonwell'], enabled: false },
      messages: ['the Moonwell'],
      triggers: false,
    },
    { name: 'disabled constant entry', entry: { keys: [], constant: true, enabled: false }, messages: ['x'], triggers: false },
    {
      name: 'selective: primary without secondary',
      entry: { keys: ['Varn'], selective: true, secondary_keys: ['debt', 'money'] },
      messages: ['Varn came by'],
      triggers: false,
    },
    {
      name: 'selective: primary and secondary',
      entry: { keys: ['Varn'], selective: true, secondary_keys: ['debt', 'money'] },
      messages: ['Varn wants his money'],
      triggers: true,
    },
    {
      name: 'selective: secondary alone',
      entry: { keys: ['Varn'], selective: true, secondary_keys: ['money'] },
      messages: ['no money'],
      triggers: false,
    },
    {
      name: 'selective with no secondary keys: primary is enough',
      entry: { keys: ['Varn'], selective: true, secondary_keys: [] },
      messages: ['Varn'],
      triggers: true,
    },
    {
      name: 'secondary keys ignored when not selective',
      entry: { keys: ['Varn'], selective: false, secondary_keys: ['money'] },
      messages: ['Varn'],
      triggers: true,
    },
    { name: 'a blank key never matches', entry: { keys: ['', '  '] }, messages: ['anything at all'], triggers: false },
    {
      name: 'secondary key in an older scanned message',
      entry: { keys: ['Varn'], selective: true, secondary_keys: ['money'] },
      messages: ['money talk', 'Varn'],
      scanDepth: 2,
      triggers: true,
    },
  ];

  it.each(cases)('$name → $triggers', ({ entry, messages, scanDepth, triggers }) => {
    const b = book([entry], scanDepth === undefined ? {} : { scan_depth: scanDepth });
    expect(contents(b, messages)).toEqual(triggers ? ['entry 0'] : []);
  });

  it(`scans the last ${LORE_DEFAULTS.scanDepth} messages when the book sets no scan_depth`, () => {
    const b = book([{ keys: ['Moonwell'] }]);
    expect(contents(b, ['Moonwell', ...Array(LORE_DEFAULTS.scanDepth - 1).fill('x')])).toEqual(['entry 0']);
    expect(contents(b, ['Moonwell', ...Array(LORE_DEFAULTS.scanDepth).fill('x')])).toEqual([]);
  });

  it('orders entries by insertion_order ascending; equal orders in reverse scan order, as SillyTavern prepends them', () => {
    const b = book([
      { keys: ['a'], insertion_order: 30, content: 'third' },
      { keys: ['a'], insertion_order: 10, content: 'first', position: 'after_char' },
      { keys: ['a'], insertion_order: 20, content: 'second-a' },
      { keys: [], insertion_order: 20, content: 'second-b', constant: true },
    ]);
    const trace = traceOf(b, ['a']);
    // SillyTavern (not the studio's first scanner, which kept book order for ties): second-b before second-a.
    expect(trace.activated.map((t) => [t.content, t.position, t.trace.reason])).toEqual([
      ['first', 'after_char', 'key'],
      ['second-b', 'before_char', 'constant'],
      ['second-a', 'before_char', 'key'],
      ['third', 'before_char', 'key'],
    ]);
    expect(trace.activated[0]!.trace.key).toBe('a');
    expect(trace.activated[0]!.trace.matchedIn).toMatchObject({ kind: 'message', index: 0, role: 'user' });
  });

  it('keeps within token_budget by order (highest first), evicting the first that reaches it and every one after', () => {
    const text = (n: number) => 'x'.repeat(n * 4); // n tokens
    const b = book(
      [
        // SillyTavern admits by insertion order (highest first) and ignores the V2 `priority`; the studio's first
        // scanner went by priority.
        { keys: ['k'], content: text(40), priority: 9, insertion_order: 1, name: 'low-order' },
        { keys: ['k'], content: text(40), insertion_order: 3, name: 'high-order' },
        { keys: ['k'], content: text(40), insertion_order: 2, name: 'mid-order' },
        { keys: ['k'], content: text(10), insertion_order: 0, name: 'small-last' },
      ],
      { token_budget: 95 },
    );
    const trace = traceOf(b, ['k']);
    expect(trace.activated.map((t) => t.content.length / 4)).toEqual([40, 40]);
    expect(trace.skipped.map((s) => [s.entry, s.reason])).toEqual([
      ['0', 'budget_evicted'],
      ['3', 'budget_evicted'],
    ]);
    expect(trace.tokens).toBe(80);
    expect(traceOf({ ...b, token_budget: undefined }, ['k']).activated).toHaveLength(4);
  });

  it('with recursive_scanning, lore that names another key triggers it too, traced to the entry it came from', () => {
    const entries: EntryInput[] = [
      { keys: ['Moonwell'], content: 'The Moonwell lies under the chapel of Saint Orla.', comment: 'moonwell' },
      { keys: ['Saint Orla'], content: 'Saint Orla was a smith.', comment: 'orla' },
      { keys: ['smith'], content: 'Smiths of Emberfall swear on the anvil.', comment: 'smiths' },
    ];
    expect(contents(book(entries), ['the Moonwell?'])).toEqual(['The Moonwell lies under the chapel of Saint Orla.']);
    const trace = traceOf(book(entries, { recursive_scanning: true }), ['the Moonwell?']);
    const why = Object.fromEntries(trace.activated.map((a) => [a.comment, [a.trace.reason, a.trace.recursedFrom?.comment]]));
    expect(why).toEqual({ moonwell: ['key', undefined], orla: ['recursion', 'moonwell'], smiths: ['recursion', 'orla'] });
  });

  it('renders content with the given function, and a card without a book scans nothing', () => {
    const b = book([{ keys: ['forge'], content: '{{char}} owns the forge.' }]);
    expect(traceOf(b, ['forge'], (t) => t.replace('{{char}}', 'Mira')).activated[0]!.content).toBe('Mira owns the forge.');
    const card = cardDataSchema.parse({ name: 'Mira' });
    expect(npcLorebooks({ id: 'mira', card, studio: { processor: 'local', model: 'm', sampling: {} } }, null).books).toEqual([]);
  });
});
