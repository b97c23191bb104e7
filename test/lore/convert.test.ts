import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { characterBookSchema } from '../../shared/npc';
import { lorebookSchema, lorebookV3FileSchema, worldInfoEntrySchema, worldInfoFileSchema } from '../../shared/lorebook';
import {
  characterBookToLorebook,
  lorebookToCharacterBook,
  lorebookToV3,
  lorebookToWorldInfo,
  lorebookV3ToLorebook,
  worldInfoToLorebook,
} from '../../shared/lorebook-convert';
import { chat, run } from './support';

const fixturePath = new URL('./fixtures/harbor-world-info.json', import.meta.url);
const fixture = () => JSON.parse(readFileSync(fixturePath, 'utf8'));
/** Fields the studio adds to World Info files for card-only data; SillyTavern never writes them. */
const STUDIO_ADDITIONS = ['name', 'priority', 'useRegex', 'extensions'];

describe('SillyTavern World Info ⇄ studio lorebook', () => {
  it('the fixture covers every World Info entry field the schema names', () => {
    const used = new Set(Object.values(fixture().entries).flatMap((e) => Object.keys(e as object)));
    const missing = Object.keys(worldInfoEntrySchema.shape).filter((k) => !used.has(k) && !STUDIO_ADDITIONS.includes(k));
    expect(missing).toEqual([]);
  });

  it('World Info → lorebook → World Info is the identity on the fixture', () => {
    const file = worldInfoFileSchema.parse(fixture());
    const book = lorebookSchema.parse(worldInfoToLorebook(file));
    expect(lorebookToWorldInfo(book)).toStrictEqual(fixture());
  });

  it('names the fields in the studio model', () => {
    const book = worldInfoToLorebook(worldInfoFileSchema.parse(fixture()));
    const [harbor, varn, tone, moonwell, lighthouse, old] = book.entries;
    expect(harbor).toMatchObject({
      id: 0,
      keys: ['harbor', 'docks', '/\\bpier\\s*\\d+\\b/i'],
      selectiveLogic: 'and_any',
      position: 'before_char',
      enabled: true,
    });
    expect(varn).toMatchObject({
      selectiveLogic: 'and_all',
      position: 'at_depth',
      role: 'assistant',
      group: 'townsfolk, lenders',
      sticky: 3,
    });
    expect(varn!.extra).toEqual({ characterFilter: { isExclude: true, names: ['Mira'], tags: [] } });
    expect(tone).toMatchObject({
      selectiveLogic: 'not_all',
      position: 'an_top',
      role: 'system',
      probability: null,
      delayUntilRecursion: true,
    });
    expect(moonwell).toMatchObject({ selectiveLogic: 'not_any', position: 'em_bottom', role: 'user', enabled: false });
    // Values a newer SillyTavern may use are kept as the numbers they were.
    expect(lighthouse).toMatchObject({ id: 12, selectiveLogic: 7, position: 9, role: 5, sourceSpelling: { worldInfoKey: '7' } });
    expect(old).toMatchObject({ keys: ['no uid here'], sourceSpelling: { worldInfoKey: '8' } });
    expect(old!.enabled).toBeUndefined();
    expect(book.extra).toHaveProperty('originalData');
  });

  it('never lets two entries share a World Info key (duplicate uids, or an index that is another uid)', () => {
    const file = lorebookToWorldInfo(
      lorebookSchema.parse({ entries: [{ id: 1, content: 'a' }, { id: 1, content: 'b' }, { content: 'c' }, { content: 'd' }] }),
    );
    expect(Object.entries(file.entries).map(([k, e]) => [k, e.content])).toEqual([
      ['0', 'b'],
      ['1', 'a'],
      ['2', 'c'],
      ['3', 'd'],
    ]);
  });

  it('refuses a file over a limit, naming the field', () => {
    const bad = fixture();
    bad.entries['0'].scanDepth = 5000;
    const result = worldInfoFileSchema.safeParse(bad);
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(['entries', '0', 'scanDepth']);
    expect(result.error!.issues[0]!.message).toContain('1000');
  });

  it('the engine reads the converted fixture', () => {
    const book = worldInfoToLorebook(worldInfoFileSchema.parse(fixture()));
    const result = run(book, chat('Any news from pier 9? Contraband, they say.'));
    expect(result.activated.map((a) => a.comment)).toEqual(['Tone (always on)', 'Emberfall harbor']);
    expect(result.activated[1]!.trace).toMatchObject({ key: '/\\bpier\\s*\\d+\\b/i', secondaryKey: 'contraband' });
  });
});

describe('Card V2/V3 character_book ⇄ studio lorebook', () => {
  /** As SillyTavern's convertWorldInfoToCharacterBook writes it: V2 fields plus its own under extensions. */
  const sillyTavernBook = {
    name: 'Emberfall',
    entries: [
      {
        id: 1,
        keys: ['Varn'],
        secondary_keys: ['debt'],
        comment: 'Varn',
        content: 'Varn never forgets.',
        constant: false,
        selective: true,
        insertion_order: 250,
        enabled: true,
        position: 'after_char',
        use_regex: true,
        extensions: {
          position: 4,
          exclude_recursion: true,
          display_index: 1,
          probability: 65,
          useProbability: true,
          depth: 2,
          selectiveLogic: 3,
          group: 'lenders',
          group_override: false,
          group_weight: 40,
          prevent_recursion: false,
          delay_until_recursion: false,
          scan_depth: null,
          match_whole_words: null,
          use_group_scoring: false,
          case_sensitive: null,
          automation_id: '',
          role: 2,
          vectorized: false,
          sticky: 3,
          cooldown: null,
          delay: null,
          outlet_name: '',
          triggers: [],
          ignore_budget: false,
          match_scenario: false,
          some_other_tool: { keep: 'me' },
        },
      },
    ],
    extensions: { world: 'Emberfall' },
    recursive_scanning: true,
  };
  /** A plain V2 book (RisuAI and older editors): the spec's fields only. */
  const plainBook = {
    name: 'Plain',
    description: 'd',
    scan_depth: 3,
    token_budget: 500,
    recursive_scanning: false,
    extensions: {},
    entries: [
      {
        keys: ['a'],
        content: 'A',
        extensions: {},
        enabled: true,
        insertion_order: 0,
        case_sensitive: true,
        name: 'n',
        priority: 2,
        position: 'before_char',
      },
      {
        keys: ['b'],
        content: 'B',
        extensions: {},
        enabled: false,
        insertion_order: 1,
        selective: true,
        secondary_keys: ['c'],
        constant: false,
      },
      { keys: ['c'], content: 'C', enabled: true, insertion_order: 2, position: 'after_char', case_sensitive: false, risu_flag: 1 },
      { keys: ['d'], content: 'D', extensions: { case_sensitive: true }, enabled: true, insertion_order: 3, case_sensitive: false },
    ],
    risu_book_setting: 'kept',
  };

  it.each([
    ['SillyTavern-written', sillyTavernBook],
    ['plain V2', plainBook],
  ])('%s: card book → lorebook → card book is the identity', (_, source) => {
    const parsed = characterBookSchema.parse(structuredClone(source)); // the card schema adds its defaults (extensions: {})
    expect(lorebookToCharacterBook(lorebookSchema.parse(characterBookToLorebook(parsed)))).toStrictEqual(parsed);
    const raw = structuredClone(source) as unknown as Parameters<typeof characterBookToLorebook>[0];
    expect(lorebookToCharacterBook(characterBookToLorebook(raw))).toStrictEqual(source);
  });

  it("reads SillyTavern's extensions into the model and keeps other tools' keys", () => {
    const [entry] = characterBookToLorebook(characterBookSchema.parse(structuredClone(sillyTavernBook))).entries;
    expect(entry).toMatchObject({
      position: 'at_depth',
      depth: 2,
      role: 'assistant',
      selectiveLogic: 'and_all',
      order: 250,
      useRegex: true,
      sticky: 3,
    });
    expect(entry!.extensions).toEqual({ some_other_tool: { keep: 'me' } });
  });

  it("an edited position is written to both of the card's spellings", () => {
    const book = characterBookToLorebook(characterBookSchema.parse(structuredClone(plainBook)));
    book.entries[2]!.position = 'at_depth';
    const out = lorebookToCharacterBook(book).entries[2] as Record<string, unknown>;
    expect(out.position).toBe('after_char');
    expect(out.extensions).toEqual({ position: 4 });
  });

  it('World Info → card book → World Info keeps every field', () => {
    const file = worldInfoFileSchema.parse(fixture());
    const viaCard = lorebookToWorldInfo(characterBookToLorebook(lorebookToCharacterBook(worldInfoToLorebook(file))));
    // Entry keys that were not the uid are the spelling of one file, not a field: compare the entries themselves.
    const label = (e: { content?: string; comment?: string }) => `${e.content}|${e.comment}`;
    const entries = (f: { entries: object }) =>
      (Object.values(f.entries) as { content?: string }[]).sort((a, b) => label(a).localeCompare(label(b)));
    expect(entries(viaCard)).toStrictEqual(entries(fixture()));
    expect(viaCard.originalData).toStrictEqual(fixture().originalData);
  });

  it('reads and writes a standalone lorebook_v3 file', () => {
    const file = lorebookV3FileSchema.parse({ spec: 'lorebook_v3', data: structuredClone(plainBook) });
    expect(lorebookToV3(lorebookV3ToLorebook(file))).toStrictEqual({ spec: 'lorebook_v3', data: plainBook });
  });
});
