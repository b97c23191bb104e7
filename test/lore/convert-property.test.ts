import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { characterBookSchema, lorebookEntrySchema } from '../../shared/npc';
import { LOREBOOK_LIMITS as L, lorebookSchema, worldInfoEntrySchema, worldInfoFileSchema } from '../../shared/lorebook';
import { characterBookToLorebook, lorebookToCharacterBook, lorebookToWorldInfo, worldInfoToLorebook } from '../../shared/lorebook-convert';

/** JSON with keys sorted, so two objects compare by content. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return Object.is(value, -0) ? '-0' : JSON.stringify(value);
}

const SEED = Number(process.env.FC_SEED ?? 20261130);
const RUNS = 300;

const text = fc.string({ maxLength: 40 });
const keys = fc.array(fc.oneof(text, fc.constant('/re?gex/i')), { maxLength: 5 });
const nullable = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });
const count = fc.integer({ min: 0, max: L.timedEffectMessages });

/** Every World Info entry field, each present or not, with the values real files hold (nulls included). */
const worldInfoEntry = fc.record(
  {
    uid: fc.oneof(fc.nat(100_000), fc.string({ minLength: 1, maxLength: 8 })),
    key: keys,
    keysecondary: keys,
    comment: text,
    content: fc.string({ maxLength: 200 }),
    constant: fc.boolean(),
    vectorized: fc.boolean(),
    selective: fc.boolean(),
    selectiveLogic: fc.integer({ min: 0, max: 5 }),
    addMemo: fc.boolean(),
    order: fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.double({ min: -1e6, max: 1e6, noNaN: true })),
    position: fc.integer({ min: 0, max: 9 }),
    disable: fc.boolean(),
    excludeRecursion: fc.boolean(),
    preventRecursion: fc.boolean(),
    delayUntilRecursion: fc.oneof(fc.boolean(), fc.integer({ min: 0, max: 10 })),
    probability: nullable(fc.integer({ min: 0, max: 100 })),
    useProbability: fc.boolean(),
    depth: nullable(fc.integer({ min: 0, max: L.insertionDepth })),
    group: text,
    groupOverride: fc.boolean(),
    groupWeight: nullable(fc.integer({ min: 0, max: 1000 })),
    scanDepth: nullable(fc.integer({ min: 0, max: L.scanDepth })),
    caseSensitive: nullable(fc.boolean()),
    matchWholeWords: nullable(fc.boolean()),
    useGroupScoring: nullable(fc.boolean()),
    automationId: text,
    role: nullable(fc.integer({ min: 0, max: 4 })),
    sticky: nullable(count),
    cooldown: nullable(count),
    delay: nullable(count),
    displayIndex: nullable(fc.nat(5000)),
    outletName: text,
    ignoreBudget: fc.boolean(),
    triggers: fc.array(text, { maxLength: 3 }),
    matchPersonaDescription: fc.boolean(),
    matchCharacterDescription: fc.boolean(),
    matchCharacterPersonality: fc.boolean(),
    matchCharacterDepthPrompt: fc.boolean(),
    matchScenario: fc.boolean(),
    matchCreatorNotes: fc.boolean(),
    name: text,
    priority: fc.integer(),
    useRegex: fc.boolean(),
    extensions: fc.dictionary(text, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  },
  { requiredKeys: [] },
);

const knownWorldInfoKeys = new Set(Object.keys(worldInfoEntrySchema.shape));
/** Fields another tool (or a newer SillyTavern) wrote: kept as they are. */
const unknownFields = (known: Set<string>) =>
  fc.dictionary(
    fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !known.has(k) && k !== '__proto__'),
    fc.jsonValue({ maxDepth: 2 }),
    { maxKeys: 3 },
  );

const worldInfoFile = fc
  .array(
    fc.tuple(
      fc.option(
        fc.string({ minLength: 1, maxLength: 10 }).filter((k) => k !== '__proto__'),
        { nil: undefined },
      ),
      worldInfoEntry,
      unknownFields(knownWorldInfoKeys),
    ),
    { maxLength: 8 },
  )
  .chain((list) =>
    fc
      .record(
        {
          extra: unknownFields(new Set(['entries', 'name', 'description', 'scanDepth', 'tokenBudget', 'recursiveScanning', 'extensions'])),
          name: text,
          scanDepth: fc.integer({ min: 0, max: L.scanDepth }),
          recursiveScanning: fc.boolean(),
        },
        { requiredKeys: ['extra'] },
      )
      .map(({ extra, ...top }) => ({
        ...extra,
        ...top,
        // The entry's key is its uid, as SillyTavern writes it, or (hand-edited files) something else.
        entries: Object.fromEntries(list.map(([k, e, unknown], i) => [k ?? String(e.uid ?? i), { ...unknown, ...e }])),
      })),
  );

describe('property: World Info → lorebook → World Info is the identity', () => {
  it('on generated World Info files (every field, unknown fields, odd entry keys)', () => {
    fc.assert(
      fc.property(worldInfoFile, (generated) => {
        const file = worldInfoFileSchema.parse(structuredClone(generated));
        const book = lorebookSchema.parse(worldInfoToLorebook(file));
        expect(lorebookToWorldInfo(book)).toStrictEqual(structuredClone(generated));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('and through a card book every entry keeps every field', () => {
    fc.assert(
      fc.property(worldInfoFile, (generated) => {
        const book = worldInfoToLorebook(worldInfoFileSchema.parse(structuredClone(generated)));
        const back = lorebookToWorldInfo(characterBookToLorebook(lorebookToCharacterBook(book)));
        expect(Object.values(back.entries)).toHaveLength(Object.keys(generated.entries).length);
        // The same entries. Not compared: the record keys of hand-edited files (spelling, not fields; without them an
        // entry with no uid may sort elsewhere in the object), and an empty `extensions` object, which a card cannot
        // tell from the one it writes SillyTavern's fields into.
        const comparable = (b: typeof book) =>
          b.entries
            .map(({ sourceSpelling: _, extensions, ...e }) => (extensions && Object.keys(extensions).length ? { ...e, extensions } : e))
            .map(canonical)
            .sort();
        expect(comparable(worldInfoToLorebook(back))).toEqual(comparable(book));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

const ext = {
  position: fc.integer({ min: 0, max: 8 }),
  depth: fc.integer({ min: 0, max: 100 }),
  role: nullable(fc.integer({ min: 0, max: 3 })),
  selectiveLogic: fc.integer({ min: 0, max: 4 }),
  case_sensitive: nullable(fc.boolean()),
  probability: nullable(fc.integer({ min: 0, max: 100 })),
  useProbability: fc.boolean(),
  group: text,
  sticky: nullable(count),
  exclude_recursion: fc.boolean(),
  display_index: fc.nat(100),
};
const cardEntry = fc.record(
  {
    keys: fc.array(fc.string({ minLength: 1, maxLength: 20 }), { maxLength: 4 }),
    content: fc.string({ maxLength: 100 }),
    extensions: fc.tuple(fc.record(ext, { requiredKeys: [] }), unknownFields(new Set(Object.keys(ext)))).map(([a, b]) => ({ ...b, ...a })),
    enabled: fc.boolean(),
    insertion_order: fc.integer({ min: -100, max: 1000 }),
    case_sensitive: fc.boolean(),
    name: text,
    priority: fc.integer({ min: 0, max: 100 }),
    id: fc.oneof(fc.nat(1000), fc.string({ maxLength: 8 })),
    comment: text,
    selective: fc.boolean(),
    secondary_keys: fc.array(fc.string({ minLength: 1, maxLength: 20 }), { maxLength: 3 }),
    constant: fc.boolean(),
    position: fc.constantFrom('before_char', 'after_char'),
    use_regex: fc.boolean(),
  },
  { requiredKeys: ['keys', 'content', 'extensions', 'enabled', 'insertion_order'] },
);

describe('property: card book → lorebook → card book is the identity', () => {
  it("on generated V2/V3 character books (SillyTavern extensions, the spec's doubled fields, unknown keys)", () => {
    // The V2 entry's own fields plus the V3 spec's use_regex: generated unknown keys must not collide with them.
    const cardTop = new Set([...Object.keys(lorebookEntrySchema.shape), 'use_regex']);
    const book = fc.record(
      {
        entries: fc.array(
          fc.tuple(cardEntry, unknownFields(cardTop)).map(([e, u]) => ({ ...u, ...e })),
          { maxLength: 6 },
        ),
        name: text,
        scan_depth: fc.integer({ min: 0, max: 1000 }),
        token_budget: fc.nat(10_000),
        recursive_scanning: fc.boolean(),
        extensions: fc.dictionary(text, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }),
      },
      { requiredKeys: ['entries', 'extensions'] },
    );
    fc.assert(
      fc.property(book, (generated) => {
        const parsed = characterBookSchema.parse(structuredClone(generated));
        expect(lorebookToCharacterBook(lorebookSchema.parse(characterBookToLorebook(parsed)))).toStrictEqual(structuredClone(generated));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
