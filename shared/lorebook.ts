import { z } from 'zod';
import { LIMITS } from './ids';

/**
 * Lorebooks: the studio's one model of a book and its entries (`lorebookSchema`), and the SillyTavern
 * World Info file as it is on disk (`worldInfoFileSchema`). Converters between them and the Character
 * Card V2/V3 `character_book` are in lorebook-convert.ts.
 *
 * The model names every field SillyTavern's World Info and the card specs know (camelCase), keeps whatever
 * the source spelled out and nothing more (a field absent in the file stays absent, so an export is the
 * file that was imported), and keeps fields it does not model in `extra`, written back where they were.
 * Every object is loose too, so keys a newer studio adds survive validation.
 */

/** Limits for import, save and IPC: one set, named. */
export const LOREBOOK_LIMITS = {
  entries: 2000,
  keysPerEntry: LIMITS.list,
  keyLength: LIMITS.shortText,
  contentLength: LIMITS.cardText,
  /** comment, name, group, automation id, outlet name. */
  shortTextLength: LIMITS.shortText,
  descriptionLength: LIMITS.cardText,
  /** Messages scanned for keys: SillyTavern's MAX_SCAN_DEPTH. */
  scanDepth: 1000,
  /** Messages from the end where an at-depth entry is inserted. */
  insertionDepth: 10_000,
  tokenBudget: 1_000_000,
  /** sticky, cooldown and delay, in messages. */
  timedEffectMessages: 10_000,
  recursionLevel: 1000,
  groupWeight: 1_000_000,
  /** Entry ids (World Info `uid`, card `id`) when they are strings. */
  idLength: 64,
} as const;

const L = LOREBOOK_LIMITS;
const shortText = z.string().max(L.shortTextLength);
const key = z.string().max(L.keyLength, `a key may have at most ${L.keyLength} characters`);
const keyList = z.array(key).max(L.keysPerEntry, `an entry may have at most ${L.keysPerEntry} keys`);
const content = z.string().max(L.contentLength, `an entry's content may have at most ${L.contentLength} characters`);
const record = z.record(z.string(), z.unknown());
const entryId = z.union([z.number().int(), z.string().max(L.idLength)]);
const messages = z.number().int().min(0).max(L.timedEffectMessages);
const scanDepth = z.number().int().min(0).max(L.scanDepth, `scan depth may be at most ${L.scanDepth} messages`);

/** SillyTavern's world_info_logic, in its numeric order (AND_ANY 0, NOT_ALL 1, NOT_ANY 2, AND_ALL 3). */
export const SELECTIVE_LOGICS = ['and_any', 'not_all', 'not_any', 'and_all'] as const;
/** SillyTavern's world_info_position, in its numeric order (before 0 … EMBottom 6, outlet 7). */
export const LORE_POSITIONS = ['before_char', 'after_char', 'an_top', 'an_bottom', 'at_depth', 'em_top', 'em_bottom', 'outlet'] as const;
/** SillyTavern's extension_prompt_roles (SYSTEM 0, USER 1, ASSISTANT 2). */
export const LORE_ROLES = ['system', 'user', 'assistant'] as const;

export type SelectiveLogic = (typeof SELECTIVE_LOGICS)[number];
export type LorePosition = (typeof LORE_POSITIONS)[number];
export type LoreRole = (typeof LORE_ROLES)[number];

/** SillyTavern's defaults where a field is absent (newWorldInfoEntryDefinition, DEFAULT_DEPTH, DEFAULT_WEIGHT). */
export const LORE_DEFAULTS = {
  scanDepth: 2,
  depth: 4,
  groupWeight: 100,
  probability: 100,
  order: 100,
} as const;

/** A value the model does not name (a newer SillyTavern's enum member) is kept as the number it was. */
const logic = z.union([z.enum(SELECTIVE_LOGICS), z.number().int()]);
const position = z.union([z.enum(LORE_POSITIONS), z.number().int()]);
const role = z.union([z.enum(LORE_ROLES), z.number().int()]).nullable();

/** How the source spelled what the model holds once; used by the exporters only while the field is unchanged. */
export const sourceSpellingSchema = z.looseObject({
  /** The entry's key in the World Info `entries` object, when it is not its uid. */
  worldInfoKey: z.string().max(L.idLength).optional(),
  /** A card entry's doubled fields (`position` and `extensions.position`, `case_sensitive` twice) as written. */
  card: z
    .looseObject({
      basis: record,
      slots: z.record(z.string(), z.union([z.strictObject({ absent: z.literal(true) }), z.strictObject({ value: z.unknown() })])),
    })
    .optional(),
});

/**
 * The entry fields the studio's model and SillyTavern's World Info spell alike, each defined once here.
 * The two shapes list them in different orders, and zod writes a parsed object's keys in shape order
 * (an export must be the imported file byte for byte), so each shape takes them with `entryFields`.
 */
const sharedEntryFields = {
  selective: z.boolean().optional(),
  comment: shortText.optional(),
  /** Card V2 `name`. */
  name: shortText.optional(),
  /** Kept verbatim, decorators (`@@depth 2`) included; the engine strips them from what it inserts. */
  content: content.optional(),
  constant: z.boolean().optional(),
  vectorized: z.boolean().optional(),
  addMemo: z.boolean().optional(),
  /** Insertion order: higher goes later (closer to the chat end) and is kept first under the budget. */
  order: z.number().optional(),
  /** Card V2 `priority`. */
  priority: z.number().optional(),
  /** Card V3 `use_regex`. */
  useRegex: z.boolean().optional(),
  depth: z.number().int().min(0).max(L.insertionDepth).nullable().optional(),
  caseSensitive: z.boolean().nullable().optional(),
  matchWholeWords: z.boolean().nullable().optional(),
  scanDepth: scanDepth.nullable().optional(),
  excludeRecursion: z.boolean().optional(),
  preventRecursion: z.boolean().optional(),
  /** false, or the recursion level (true = 1) before which the entry cannot fire. */
  delayUntilRecursion: z.union([z.boolean(), z.number().int().min(0).max(L.recursionLevel)]).optional(),
  probability: z.number().min(0).max(100).nullable().optional(),
  useProbability: z.boolean().optional(),
  /** Inclusion groups, comma separated. */
  group: shortText.optional(),
  groupOverride: z.boolean().optional(),
  groupWeight: z.number().min(0).max(L.groupWeight).nullable().optional(),
  useGroupScoring: z.boolean().nullable().optional(),
  sticky: messages.nullable().optional(),
  cooldown: messages.nullable().optional(),
  delay: messages.nullable().optional(),
  automationId: shortText.optional(),
  displayIndex: z.number().nullable().optional(),
  outletName: shortText.optional(),
  ignoreBudget: z.boolean().optional(),
  triggers: z.array(z.string().max(L.shortTextLength)).max(L.keysPerEntry).optional(),
  matchPersonaDescription: z.boolean().optional(),
  matchCharacterDescription: z.boolean().optional(),
  matchCharacterPersonality: z.boolean().optional(),
  matchCharacterDepthPrompt: z.boolean().optional(),
  matchScenario: z.boolean().optional(),
  matchCreatorNotes: z.boolean().optional(),
  /** A card entry's `extensions` other than the ones named above. */
  extensions: record.optional(),
};
type SharedEntryField = keyof typeof sharedEntryFields;

/** The named shared fields, in the order given: the order they take in the shape, and in every parsed entry. */
function entryFields<K extends SharedEntryField>(...names: K[]): Pick<typeof sharedEntryFields, K> {
  return Object.fromEntries(names.map((n) => [n, sharedEntryFields[n]])) as Pick<typeof sharedEntryFields, K>;
}

export const loreEntrySchema = z.looseObject({
  id: entryId.optional(),
  keys: keyList.optional(),
  secondaryKeys: keyList.optional(),
  ...entryFields('selective'),
  selectiveLogic: logic.optional(),
  ...entryFields('comment', 'name', 'content', 'constant'),
  enabled: z.boolean().optional(),
  ...entryFields('vectorized', 'addMemo', 'order', 'priority', 'useRegex'),
  position: position.optional(),
  ...entryFields('depth'),
  role: role.optional(),
  ...entryFields('caseSensitive', 'matchWholeWords', 'scanDepth', 'excludeRecursion', 'preventRecursion', 'delayUntilRecursion'),
  ...entryFields('probability', 'useProbability', 'group', 'groupOverride', 'groupWeight', 'useGroupScoring'),
  ...entryFields('sticky', 'cooldown', 'delay', 'automationId', 'displayIndex', 'outletName', 'ignoreBudget', 'triggers'),
  ...entryFields('matchPersonaDescription', 'matchCharacterDescription', 'matchCharacterPersonality', 'matchCharacterDepthPrompt'),
  ...entryFields('matchScenario', 'matchCreatorNotes', 'extensions'),
  /** Fields of the source entry the model does not name, written back as they were. */
  extra: record.optional(),
  sourceSpelling: sourceSpellingSchema.optional(),
});

/** The book's own fields, alike in the model and a World Info file; the same order in both shapes. */
const bookFields = {
  name: shortText.optional(),
  description: z.string().max(L.descriptionLength).optional(),
  scanDepth: scanDepth.optional(),
  tokenBudget: z.number().int().min(0).max(L.tokenBudget).optional(),
  recursiveScanning: z.boolean().optional(),
  extensions: record.optional(),
};

export const lorebookSchema = z.looseObject({
  ...bookFields,
  extra: record.optional(),
  entries: z.array(loreEntrySchema).max(L.entries, `a lorebook may have at most ${L.entries} entries`),
});

/** One SillyTavern World Info entry, as its files spell it (plus the few studio additions a card needs). */
export const worldInfoEntrySchema = z.looseObject({
  uid: entryId.optional(),
  key: keyList.optional(),
  keysecondary: keyList.optional(),
  ...entryFields('comment', 'content', 'constant', 'vectorized', 'selective'),
  /** The numbers SillyTavern writes; the model takes the names too (SELECTIVE_LOGICS, LORE_POSITIONS, LORE_ROLES). */
  selectiveLogic: z.number().int().optional(),
  ...entryFields('addMemo', 'order'),
  position: z.number().int().optional(),
  disable: z.boolean().optional(),
  ...entryFields('excludeRecursion', 'preventRecursion', 'delayUntilRecursion', 'probability', 'useProbability'),
  ...entryFields('depth', 'group', 'groupOverride', 'groupWeight', 'scanDepth'),
  ...entryFields('caseSensitive', 'matchWholeWords', 'useGroupScoring', 'automationId'),
  role: z.number().int().nullable().optional(),
  ...entryFields('sticky', 'cooldown', 'delay', 'displayIndex', 'outletName', 'ignoreBudget', 'triggers'),
  ...entryFields('matchPersonaDescription', 'matchCharacterDescription', 'matchCharacterPersonality', 'matchCharacterDepthPrompt'),
  ...entryFields('matchScenario', 'matchCreatorNotes'),
  /** Studio additions (SillyTavern ignores them): card-only fields, so a card's book survives the trip. */
  ...entryFields('name', 'priority', 'useRegex', 'extensions'),
});

export const worldInfoFileSchema = z.looseObject({
  entries: z
    .record(z.string().max(L.idLength), worldInfoEntrySchema)
    .refine((e) => Object.keys(e).length <= L.entries, `a World Info file may have at most ${L.entries} entries`),
  /** Studio additions (a World Info file's name is its file name in SillyTavern). */
  ...bookFields,
});

/** A standalone V3 lorebook file. Its `data` is a card `character_book`. */
export const lorebookV3FileSchema = z.looseObject({
  spec: z.literal('lorebook_v3'),
  data: z.looseObject({ entries: z.array(record).max(L.entries) }),
});

/**
 * Per-conversation timed effects (SillyTavern's chat_metadata.timedWorldInfo), counted in messages:
 * an effect set when the chat had `start` messages lasts until it has `end`.
 */
const timedEffectSchema = z.strictObject({
  start: z.number().int().min(0),
  end: z.number().int().min(0),
  /** A cooldown that follows a sticky: kept even if the chat has not advanced. */
  protected: z.boolean(),
});
export const timedEffectStateSchema = z.strictObject({
  sticky: z.record(z.string(), timedEffectSchema),
  cooldown: z.record(z.string(), timedEffectSchema),
  /** Entries that have fired in this conversation (for `@@keep_activate_after_match` / `@@dont_activate_after_match`). */
  fired: z.array(z.string()).max(L.entries * 16),
});

export type LoreEntry = z.output<typeof loreEntrySchema>;
export type Lorebook = z.output<typeof lorebookSchema>;
export type WorldInfoEntry = z.output<typeof worldInfoEntrySchema>;
export type WorldInfoFile = z.output<typeof worldInfoFileSchema>;
export type LorebookV3File = z.output<typeof lorebookV3FileSchema>;
export type TimedEffect = z.output<typeof timedEffectSchema>;
export type TimedEffectState = z.output<typeof timedEffectStateSchema>;

export function emptyTimedEffectState(): TimedEffectState {
  return { sticky: {}, cooldown: {}, fired: [] };
}
