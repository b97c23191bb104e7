import { z } from 'zod';

/**
 * What an NPC is: the fields of a Character Card V2 (https://github.com/malfoyslastname/character-card-spec-v2)
 * plus the studio's own settings. Pure zod, no node modules: the IPC contract in shared/ imports these.
 *
 * Objects are loose (unknown keys kept) and `extensions` are open records, so whatever another tool wrote
 * survives import → edit → export untouched. Fields the spec requires but real cards often omit get
 * neutral defaults ('' or []), so a full card round-trips exactly and a sparse one still imports.
 */

/** The key under `data.extensions` where an exported card carries the studio settings. */
export const STUDIO_EXTENSION_KEY = 'npc_studio';
export const DEFAULT_LOCAL_MODEL = 'llama3.2';

const extensionsSchema = z.record(z.string(), z.unknown()).default({});
const nonBlank = z.string().refine((s) => s.trim().length > 0, { message: 'must not be empty' });

export const lorebookPositionSchema = z.enum(['before_char', 'after_char']);

export const lorebookEntrySchema = z.looseObject({
  keys: z.array(z.string()),
  content: z.string(),
  extensions: extensionsSchema,
  enabled: z.boolean().default(true),
  insertion_order: z.number().default(100),
  case_sensitive: z.boolean().optional(),
  name: z.string().optional(),
  priority: z.number().optional(),
  id: z.union([z.number(), z.string()]).optional(),
  comment: z.string().optional(),
  selective: z.boolean().optional(),
  secondary_keys: z.array(z.string()).optional(),
  constant: z.boolean().optional(),
  position: lorebookPositionSchema.optional(),
});

export const characterBookSchema = z.looseObject({
  name: z.string().optional(),
  description: z.string().optional(),
  scan_depth: z.int().min(0).optional(),
  token_budget: z.int().min(0).optional(),
  recursive_scanning: z.boolean().optional(),
  extensions: extensionsSchema,
  entries: z.array(lorebookEntrySchema),
});

export const cardDataSchema = z.looseObject({
  name: nonBlank,
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
  character_version: z.union([z.string(), z.number().transform(String)]).default(''),
  extensions: extensionsSchema,
});

export const cardV2Schema = z.looseObject({
  spec: z.literal('chara_card_v2'),
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
  numCtx: z.int().min(256).max(1_048_576).optional(),
  maxTokens: z.int().min(1).max(1_048_576).optional(),
  keepAlive: keepAliveSchema.optional(),
});

export const processorKindSchema = z.enum(['local', 'hosted']);

export const studioSettingsSchema = z.strictObject({
  processor: processorKindSchema.default('local'),
  model: nonBlank.default(DEFAULT_LOCAL_MODEL),
  sampling: samplingSchema.default({}),
});

/** File names are ids (the pattern of shared/ids.ts): no dots or slashes, so an id can never leave the folder. */
export const npcIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, { message: 'must be 1-64 letters, digits, "-" or "_", starting with a letter or digit' });

/** One NPC as stored in user-data/npcs/<id>.json. */
export const npcSchema = z.strictObject({
  version: z.literal(1),
  id: npcIdSchema,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  studio: studioSettingsSchema,
  card: cardDataSchema,
});

/** What save() takes: no id creates a new NPC; timestamps are the store's. */
export const npcDraftSchema = z.strictObject({
  id: npcIdSchema.optional(),
  studio: studioSettingsSchema.default({ processor: 'local', model: DEFAULT_LOCAL_MODEL, sampling: {} }),
  card: cardDataSchema,
});

export type LorebookEntry = z.output<typeof lorebookEntrySchema>;
export type CharacterBook = z.output<typeof characterBookSchema>;
export type CardData = z.output<typeof cardDataSchema>;
export type CardDataInput = z.input<typeof cardDataSchema>;
export type CardV2 = z.output<typeof cardV2Schema>;
export type SamplingSettings = z.output<typeof samplingSchema>;
export type StudioSettings = z.output<typeof studioSettingsSchema>;
export type Npc = z.output<typeof npcSchema>;
export type NpcDraft = z.input<typeof npcDraftSchema>;

export interface NpcSummary {
  id: string;
  name: string;
  tags: string[];
  processor: StudioSettings['processor'];
  model: string;
  updatedAt: string;
}

/** A file in the NPC folder that could not be used; it is kept as it is. */
export interface NpcFileProblem {
  file: string;
  id: string;
  fieldPath?: string;
  reason: string;
}
