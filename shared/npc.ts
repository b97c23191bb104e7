import { z } from 'zod';
import { idSchema, LIMITS, npcIdSchema } from './ids';
import { ATTACHED_LOREBOOKS_MAX } from './lorebook-record';
import { LOREBOOK_LIMITS } from './lorebook';
import { charsWithinFrame } from './wire';

/**
 * What an NPC is, for the store, the card import/export and IPC alike: the fields of a Character Card V2
 * (https://github.com/malfoyslastname/character-card-spec-v2, snake_case as the spec names them) plus the
 * studio's own settings.
 *
 * Card objects are loose (unknown keys kept) and `extensions` are open records, so whatever another tool
 * wrote survives import → edit → save → export untouched. Fields the spec requires but real cards often
 * omit get neutral defaults ('' or []), so a full card round-trips exactly and a sparse one still imports.
 * Import, save and IPC all validate with these schemas and CARD_LIMITS, so a card that imports can be saved
 * unchanged: a card over a limit is refused at import with the field path and the limit. Free texts have no
 * limit of their own; the card is bounded as a whole (npcDraftSchema).
 */

const MiB = 1024 * 1024;
/** Base64 of a file sent over IPC is never escaped: 1 byte a character, 4 characters for 3 bytes. */
const bytesWithinFrameAsBase64 = Math.floor((charsWithinFrame(1) / 4) * 3);

/** The one set of limits on cards and their files, for import (app and CLI), save and IPC. */
export const CARD_LIMITS = {
  /** The card as JSON (characters): texts, lorebook and extensions together. */
  cardJson: LIMITS.cardJson,
  /** A card file as JSON text: a V2 export repeats the six V1 fields beside `data`, so twice the card, plus room. */
  cardFileChars: Math.min(2 * LIMITS.cardJson + 100_000, charsWithinFrame()),
  /** A PNG or CHARX card file (bytes), and so what fits in one IPC message as base64. */
  cardFileBytes: Math.min(20 * MiB, bytesWithinFrameAsBase64),
  name: 200,
  /** Lorebook limits are the lorebook's own (shared/lorebook.ts), so a card's book converts without loss. */
  bookEntries: LOREBOOK_LIMITS.entries,
  keysPerEntry: LOREBOOK_LIMITS.keysPerEntry,
  keyLength: LOREBOOK_LIMITS.keyLength,
  entryContent: LOREBOOK_LIMITS.contentLength,
  scanDepth: LOREBOOK_LIMITS.scanDepth,
  tokenBudget: LOREBOOK_LIMITS.tokenBudget,
  /** V3 `assets` entries. */
  assets: 1000,
  /** Card art (PNG, JPEG or WebP). */
  artBytes: 10 * MiB,
  /** Width and height of card art, pixels. */
  artSide: 8192,
  /** CHARX (zip): how many entries, the largest one and all of them inflated, in bytes. */
  charxEntries: 2000,
  charxEntryBytes: 20 * MiB,
  charxTotalBytes: 64 * MiB,
  /** An exported file's name before its extension (characters). */
  exportBaseName: 80,
} as const;

const C = CARD_LIMITS;
const count = (n: number) => n.toLocaleString('en-US');

/** The key under `data.extensions` where an exported card carries the studio settings. */
export const STUDIO_EXTENSION_KEY = 'npc_studio';
export const DEFAULT_LOCAL_MODEL = 'llama3.2';
/** Ollama's default context (tokens) when the NPC sets no numCtx. */
export const DEFAULT_NUM_CTX = 4096;
/** Tokens kept free for the reply when the NPC sets no maxTokens. */
export const DEFAULT_REPLY_RESERVE = 512;

const extensionsSchema = z.record(z.string(), z.unknown()).default({});
const nonBlank = z.string().refine((s) => s.trim().length > 0, { message: 'must not be empty' });
const nameSchema = nonBlank.refine((s) => s.length <= C.name, {
  message: `a name may have at most ${count(C.name)} characters; shorten it (nickname can hold a longer one)`,
});
const bounded = (max: number, what: string, unit: string) =>
  z
    .int()
    .min(0)
    .max(max, { message: `${what} may be at most ${count(max)} ${unit}` });

export const lorebookPositionSchema = z.enum(['before_char', 'after_char']);

const keyListSchema = z
  .array(z.string().max(C.keyLength, { message: `a key may have at most ${count(C.keyLength)} characters` }))
  .max(C.keysPerEntry, { message: `an entry may have at most ${count(C.keysPerEntry)} keys` });

export const lorebookEntrySchema = z.looseObject({
  keys: keyListSchema,
  content: z.string().max(C.entryContent, { message: `an entry's content may have at most ${count(C.entryContent)} characters` }),
  extensions: extensionsSchema,
  enabled: z.boolean().default(true),
  insertion_order: z.number().default(100),
  case_sensitive: z.boolean().optional(),
  name: z.string().optional(),
  priority: z.number().optional(),
  id: z.union([z.number(), z.string()]).optional(),
  comment: z.string().optional(),
  selective: z.boolean().optional(),
  secondary_keys: keyListSchema.optional(),
  constant: z.boolean().optional(),
  position: lorebookPositionSchema.optional(),
});

export const characterBookSchema = z.looseObject({
  name: z.string().optional(),
  description: z.string().optional(),
  scan_depth: bounded(C.scanDepth, 'scan depth', 'messages').optional(),
  token_budget: bounded(C.tokenBudget, 'the token budget', 'tokens').optional(),
  recursive_scanning: z.boolean().optional(),
  extensions: extensionsSchema,
  entries: z.array(lorebookEntrySchema).max(C.bookEntries, { message: `a lorebook may have at most ${count(C.bookEntries)} entries` }),
});

/** A V3 asset: `uri` is `embeded://path` (inside a CHARX), `ccdefault:`, `__asset:…`, a data URL or https. */
export const cardAssetSchema = z.looseObject({
  type: z.string(),
  uri: z.string(),
  name: z.string(),
  ext: z.string(),
});

export const cardDataSchema = z.looseObject({
  name: nameSchema,
  description: z.string().default(''),
  personality: z.string().default(''),
  scenario: z.string().default(''),
  first_mes: z.string().default(''),
  mes_example: z.string().default(''),
  creator_notes: z.string().default(''),
  system_prompt: z.string().default(''),
  post_history_instructions: z.string().default(''),
  alternate_greetings: z.array(z.string()).default([]),
  character_book: characterBookSchema.optional(),
  tags: z.array(z.string()).default([]),
  creator: z.string().default(''),
  // The spec says string; some tools write a number. Kept, as text.
  character_version: z.union([z.string(), z.number().transform(String)]).default(''),
  extensions: extensionsSchema,
  // Character Card V3 fields (https://github.com/kwaroran/character-card-spec-v3); absent on V2 cards.
  assets: z
    .array(cardAssetSchema)
    .max(C.assets, { message: `a card may list at most ${count(C.assets)} assets` })
    .optional(),
  nickname: z.string().optional(),
  creator_notes_multilingual: z.record(z.string(), z.string()).optional(),
  source: z.array(z.string()).optional(),
  group_only_greetings: z.array(z.string()).optional(),
  /** Unix seconds; kept as the card said (export does not restamp them, so a round trip is exact). */
  creation_date: z.number().optional(),
  modification_date: z.number().optional(),
});

export const cardV2Schema = z.looseObject({
  spec: z.literal('chara_card_v2'),
  spec_version: z.string(),
  data: cardDataSchema,
});

export const cardV3Schema = z.looseObject({
  spec: z.literal('chara_card_v3'),
  spec_version: z.string(),
  data: cardDataSchema,
});

/** V1 (TavernAI) cards: flat fields, no spec. */
export const cardV1Schema = cardDataSchema.pick({
  name: true,
  description: true,
  personality: true,
  scenario: true,
  first_mes: true,
  mes_example: true,
});

/** Go-style duration as Ollama's keep_alive takes it: "5m", "1h30m", "0", "-1". */
const keepAliveSchema = z
  .string()
  .regex(/^-?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h)?)+$/, { message: 'must be a duration such as "5m", "1h", "0" or "-1"' });

export const samplingSchema = z.strictObject({
  temperature: z.number().min(0).max(2).optional(),
  topP: z.number().gt(0).max(1).optional(),
  /** Context window in tokens (Ollama num_ctx). */
  numCtx: z.int().min(256).max(1_048_576).optional(),
  maxTokens: z.int().min(1).max(1_048_576).optional(),
  keepAlive: keepAliveSchema.optional(),
});

/** Where an NPC's replies come from: Ollama on this machine, or AWS Bedrock. */
export const processorKindSchema = z.enum(['local', 'hosted']);

export const studioSettingsSchema = z.strictObject({
  processor: processorKindSchema.default('local'),
  model: z.string().trim().min(1, { message: 'must not be empty' }).default(DEFAULT_LOCAL_MODEL),
  sampling: samplingSchema.default({}),
  /** Standalone lorebooks attached to this NPC (ids in <user-data>/lorebooks), scanned beside the card's own book. */
  lorebooks: z
    .array(idSchema)
    .max(ATTACHED_LOREBOOKS_MAX, { message: `at most ${ATTACHED_LOREBOOKS_MAX} lorebooks may be attached` })
    .optional(),
});

/**
 * Top-level keys of an imported card file beside spec, spec_version and data (e.g. SillyTavern's avatar,
 * chat, create_date), written back on export. The V1 copies of the data fields are not kept: export
 * writes them fresh from the card.
 */
const cardExtraSchema = z.record(z.string(), z.unknown());

/** One NPC as stored in user-data/npcs/<id>.json, and as `npc.get` returns it. */
export const npcSchema = z.strictObject({
  version: z.literal(1),
  id: npcIdSchema,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  studio: studioSettingsSchema,
  card: cardDataSchema,
  cardExtra: cardExtraSchema.optional(),
});

/** What CARD_LIMITS.cardJson bounds: the card's data and its kept top-level keys, as JSON characters. */
export function cardJsonChars(card: unknown, extra?: Record<string, unknown>): number {
  return JSON.stringify(card).length + (extra && Object.keys(extra).length ? JSON.stringify(extra).length : 0);
}

/**
 * What `npc.save` (and a card import) takes: no id creates a new NPC; version and timestamps are the store's.
 * Bounded as a whole, like an imported card file, rather than field by field.
 */
export const npcDraftSchema = z
  .strictObject({
    id: npcIdSchema.optional(),
    studio: studioSettingsSchema.default({ processor: 'local', model: DEFAULT_LOCAL_MODEL, sampling: {} }),
    card: cardDataSchema,
    /** Absent on a save with an id: the stored one is kept. */
    cardExtra: cardExtraSchema.optional(),
  })
  .superRefine((draft, ctx) => {
    let chars: number;
    try {
      chars = cardJsonChars(draft.card, draft.cardExtra);
    } catch {
      // A value that refers to itself (an IPC structured clone can carry one) is no card.
      ctx.addIssue({ code: 'custom', path: ['card'], message: 'the card cannot be written as JSON (a value in it refers to itself)' });
      return;
    }
    if (chars > LIMITS.cardJson) {
      ctx.addIssue({
        code: 'custom',
        path: ['card'],
        message:
          `the card is too large: ${chars.toLocaleString('en-US')} characters as JSON, at most ` +
          `${LIMITS.cardJson.toLocaleString('en-US')}; shorten its texts or its lorebook`,
      });
    }
  });

export type LorebookEntry = z.output<typeof lorebookEntrySchema>;
export type CharacterBook = z.output<typeof characterBookSchema>;
export type CardData = z.output<typeof cardDataSchema>;
export type CardDataInput = z.input<typeof cardDataSchema>;
export type CardV2 = z.output<typeof cardV2Schema>;
export type CardV3 = z.output<typeof cardV3Schema>;
export type CardAsset = z.output<typeof cardAssetSchema>;
export type Sampling = z.output<typeof samplingSchema>;
export type ProcessorKind = z.output<typeof processorKindSchema>;
export type StudioSettings = z.output<typeof studioSettingsSchema>;
export type Npc = z.output<typeof npcSchema>;
export type NpcDraft = z.input<typeof npcDraftSchema>;

export interface NpcSummary {
  id: string;
  name: string;
  tags: string[];
  processor: ProcessorKind;
  model: string;
  updatedAt: string;
  /** Whether the NPC has card art (npc.getArt returns it); views fetch art only then. */
  hasArt: boolean;
}
