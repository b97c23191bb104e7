import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeCard,
  decodeCardFile,
  encodeCardJson,
  encodeCardPng,
  encodeCharx,
  type DecodedCard,
} from '../../electron/host/npc/card-codec';
import { placeholderPng } from '../../electron/host/npc/png-chunks';
import { lorebookEntrySchema, type StudioSettings } from '../../shared/npc';

/**
 * import → export → import is the identity, for generated V2 and V3 cards in every format: every field,
 * unknown keys at every level (envelope, data, book, entry, asset), extensions, decorators in content.
 */

const studio: StudioSettings = { processor: 'local', model: 'llama3.2', sampling: { temperature: 0.5 } };

// Unicode text, including control characters and lone surrogates.
const text = fc.string({ unit: 'binary', maxLength: 30 });
const json = fc.json({ maxDepth: 2 }).map((s) => JSON.parse(s) as unknown);
const unknownKeys = (known: readonly string[]) =>
  fc.dictionary(
    fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !known.includes(k) && k !== '__proto__'),
    json,
    { maxKeys: 3 },
  );
const extensions = fc.dictionary(
  fc.string({ maxLength: 12 }).filter((k) => k !== 'npc_studio' && k !== '__proto__'),
  json,
  { maxKeys: 3 },
);
const decorated = fc
  .tuple(
    fc.subarray(['@@depth 4', '@@@instruct_depth 4', '@@activate_only_after 2', '@@exclude_keys a,b', '@@dont_activate_after_match']),
    text,
  )
  .map(([decorators, body]) => [...decorators, body].join('\n'));

/** The V2 book entry's own fields: generated unknown keys must not collide with them. */
const ENTRY_KNOWN = Object.keys(lorebookEntrySchema.shape);
const entry = fc
  .tuple(
    fc.record(
      {
        keys: fc.array(text, { maxLength: 4 }),
        content: fc.oneof(text, decorated),
        extensions,
        enabled: fc.boolean(),
        insertion_order: fc.integer({ min: -1000, max: 1000 }),
        case_sensitive: fc.boolean(),
        name: text,
        priority: fc.integer({ min: 0, max: 100 }),
        id: fc.oneof(fc.nat(1000), fc.string({ maxLength: 8 })),
        comment: text,
        selective: fc.boolean(),
        secondary_keys: fc.array(text, { maxLength: 3 }),
        constant: fc.boolean(),
        position: fc.constantFrom('before_char', 'after_char'),
      },
      { requiredKeys: ['keys', 'content'] },
    ),
    unknownKeys(ENTRY_KNOWN),
  )
  .map(([known, unknown]) => ({ ...unknown, ...known }));

const BOOK_KNOWN = ['name', 'description', 'scan_depth', 'token_budget', 'recursive_scanning', 'extensions', 'entries'];
const book = fc
  .tuple(
    fc.record(
      {
        name: text,
        description: text,
        scan_depth: fc.nat(1000),
        token_budget: fc.nat(100_000),
        recursive_scanning: fc.boolean(),
        extensions,
        entries: fc.array(entry, { maxLength: 4 }),
      },
      { requiredKeys: ['entries'] },
    ),
    unknownKeys(BOOK_KNOWN),
  )
  .map(([known, unknown]) => ({ ...unknown, ...known }));

const asset = fc
  .tuple(
    fc.record({
      type: fc.constantFrom('icon', 'background', 'emotion', 'user_icon', 'x-other'),
      uri: fc.oneof(
        fc.constant('ccdefault:'),
        fc.string({ maxLength: 20 }).map((p) => `https://example.org/${encodeURIComponent(p)}`),
      ),
      name: text,
      ext: fc.constantFrom('png', 'webp', 'jpeg', 'unknown'),
    }),
    unknownKeys(['type', 'uri', 'name', 'ext']),
  )
  .map(([known, unknown]) => ({ ...unknown, ...known }));

const V2_FIELDS = {
  description: text,
  personality: text,
  scenario: text,
  first_mes: text,
  mes_example: text,
  creator_notes: text,
  system_prompt: text,
  post_history_instructions: text,
  alternate_greetings: fc.array(text, { maxLength: 3 }),
  character_book: book,
  tags: fc.array(text, { maxLength: 3 }),
  creator: text,
  character_version: fc.oneof(text, fc.integer()),
  extensions,
};
const V3_FIELDS = {
  assets: fc.array(asset, { maxLength: 3 }),
  nickname: text,
  creator_notes_multilingual: fc.dictionary(fc.constantFrom('en', 'ko', 'ja', 'de'), text),
  source: fc.array(text, { maxLength: 2 }),
  group_only_greetings: fc.array(text, { maxLength: 2 }),
  creation_date: fc.nat(),
  modification_date: fc.nat(),
};
const name = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).filter((s) => s.trim().length > 0);

function cardOf(spec: 'chara_card_v2' | 'chara_card_v3') {
  const fields = spec === 'chara_card_v2' ? V2_FIELDS : { ...V2_FIELDS, ...V3_FIELDS };
  const known = ['name', ...Object.keys(fields)];
  const data = fc
    .tuple(fc.record({ name, ...fields }, { requiredKeys: ['name'] }), unknownKeys(known))
    .map(([k, unknown]) => ({ ...unknown, ...k }));
  const envelope = unknownKeys([
    'spec',
    'spec_version',
    'data',
    'name',
    'description',
    'personality',
    'scenario',
    'first_mes',
    'mes_example',
  ]);
  return fc
    .tuple(data, envelope)
    .map(([d, extra]) => ({ ...extra, spec, spec_version: spec === 'chara_card_v2' ? '2.0' : '3.0', data: d }));
}

function expectSame(again: DecodedCard, first: DecodedCard): void {
  expect(again.card).toEqual(first.card);
  expect(again.extra).toEqual(first.extra);
  expect(again.studio).toEqual(studio);
}

const formats = [
  ['V2 JSON', (d: DecodedCard) => decodeCard(encodeCardJson({ ...d, studio, cardExtra: d.extra }, 'v2'))],
  ['V3 JSON', (d: DecodedCard) => decodeCard(encodeCardJson({ ...d, studio, cardExtra: d.extra }, 'v3'))],
  ['PNG', (d: DecodedCard) => decodeCard(encodeCardPng({ ...d, studio, cardExtra: d.extra }, placeholderPng(4)))],
] as const;

describe.each([['V2', 'chara_card_v2'] as const, ['V3', 'chara_card_v3'] as const])(
  '%s cards: import → export → import',
  (_label, spec) => {
    it.each(formats)('is the identity through %s', (_format, roundTrip) => {
      fc.assert(
        fc.property(cardOf(spec), (source) => {
          const first = decodeCard(JSON.stringify(source));
          expect(first.format).toBe(spec === 'chara_card_v2' ? 'v2-json' : 'v3-json');
          expectSame(roundTrip(first), first);
        }),
        { numRuns: 150 },
      );
    });

    it('is the identity through CHARX, assets kept', async () => {
      await fc.assert(
        fc.asyncProperty(cardOf(spec), fc.uint8Array({ minLength: 1, maxLength: 64 }), async (source, blob) => {
          const first = decodeCard(JSON.stringify(source));
          const files = new Map([
            ['assets/other/other/blob.bin', Buffer.from(blob)],
            ['module.risum', Buffer.from('risu module')],
          ]);
          const again = await decodeCardFile(await encodeCharx({ ...first, studio, cardExtra: first.extra }, undefined, files));
          expect(again.format).toBe('v3-charx');
          expectSame(again, first);
          expect(again.files).toEqual(files);
        }),
        { numRuns: 40 },
      );
    });
  },
);
