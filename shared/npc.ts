import { z } from 'zod';
import { idSchema, LIMITS } from './ids';

/**
 * The NPC as it crosses IPC: a Character Card V2 `data` block (snake_case, as the spec names it)
 * plus the studio's own settings. Shaped to match electron/host/npc/npc-schema.ts (the store's
 * schema), with IPC limits on every string. Card objects are loose on purpose: keys another tool
 * wrote into a card must survive get → edit → save; everything else is strict.
 */

const cardText = z.string().max(LIMITS.cardText);
const shortText = z.string().max(LIMITS.shortText);
const extensions = z.record(z.string(), z.unknown());

export const lorebookEntrySchema = z.looseObject({
  id: z.union([z.number().int(), z.string().max(64)]).optional(),
  keys: z.array(z.string().min(1).max(LIMITS.shortText)).max(LIMITS.list),
  secondary_keys: z.array(z.string().min(1).max(LIMITS.shortText)).max(LIMITS.list).optional(),
  content: cardText,
  extensions: extensions.default({}),
  enabled: z.boolean().default(true),
  insertion_order: z.number().int().default(100),
  case_sensitive: z.boolean().optional(),
  name: shortText.optional(),
  priority: z.number().int().optional(),
  comment: shortText.optional(),
  selective: z.boolean().optional(),
  constant: z.boolean().optional(),
  position: z.enum(['before_char', 'after_char']).optional(),
});

export const characterBookSchema = z.looseObject({
  name: shortText.optional(),
  description: cardText.optional(),
  scan_depth: z.number().int().min(0).max(1000).optional(),
  token_budget: z.number().int().min(0).max(1_000_000).optional(),
  recursive_scanning: z.boolean().optional(),
  extensions: extensions.default({}),
  entries: z.array(lorebookEntrySchema).max(2000),
});

export const cardDataSchema = z.looseObject({
  name: z.string().trim().min(1, 'a name is required').max(LIMITS.name),
  description: cardText.default(''),
  personality: cardText.default(''),
  scenario: cardText.default(''),
  first_mes: cardText.default(''),
  mes_example: cardText.default(''),
  creator_notes: cardText.default(''),
  system_prompt: cardText.default(''),
  post_history_instructions: cardText.default(''),
  alternate_greetings: z.array(cardText).max(LIMITS.list).default([]),
  character_book: characterBookSchema.optional(),
  tags: z.array(z.string().max(LIMITS.name)).max(LIMITS.list).default([]),
  creator: shortText.default(''),
  character_version: shortText.default(''),
  extensions: extensions.default({}),
});

export const samplingSchema = z.strictObject({
  temperature: z.number().min(0).max(2).optional(),
  topP: z.number().gt(0).max(1).optional(),
  /** Context window in tokens. */
  numCtx: z.number().int().min(256).max(1_048_576).optional(),
  maxTokens: z.number().int().min(1).max(1_048_576).optional(),
  /** Ollama keep_alive as a Go duration: "5m", "1h30m", "0", "-1". */
  keepAlive: z
    .string()
    .max(32)
    .regex(/^-?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h)?)+$/, 'must be a duration such as "5m", "1h", "0" or "-1"')
    .optional(),
});

export const PROCESSORS = ['local', 'hosted'] as const;

export const studioSettingsSchema = z.strictObject({
  processor: z.enum(PROCESSORS),
  model: z.string().trim().min(1, 'a model is required').max(LIMITS.name),
  sampling: samplingSchema.default({}),
});

/** What `npc.save` takes: no id creates a new NPC. */
export const npcInputSchema = z.strictObject({
  id: idSchema.optional(),
  card: cardDataSchema,
  studio: studioSettingsSchema,
});

export type LorebookEntry = z.output<typeof lorebookEntrySchema>;
export type CharacterBook = z.output<typeof characterBookSchema>;
export type CardData = z.output<typeof cardDataSchema>;
export type Sampling = z.output<typeof samplingSchema>;
export type ProcessorKind = (typeof PROCESSORS)[number];
export type NpcStudioSettings = z.output<typeof studioSettingsSchema>;
export type NpcInput = z.input<typeof npcInputSchema>;

export interface Npc {
  id: string;
  card: CardData;
  studio: NpcStudioSettings;
  createdAt: string;
  updatedAt: string;
}

export interface NpcSummary {
  id: string;
  name: string;
  processor: ProcessorKind;
  model: string;
  tags: string[];
  updatedAt: string;
}
