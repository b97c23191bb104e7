import { z } from 'zod';
import { idSchema, LIMITS } from './ids';
import { lorebookSchema } from './lorebook';
import { charsWithinFrame } from './wire';

/**
 * A standalone lorebook as the studio keeps it (<user-data>/lorebooks/<id>.json) and as IPC and the CLI
 * see it. `book` is the one lorebook model (shared/lorebook.ts), validated with the same schema and limits
 * at import, save and IPC, so a book that imports can always be saved unchanged.
 */

export const lorebookIdSchema = idSchema;

/** The id an NPC card's own lorebook has in traces, timed-effect state and `lorebook.try`. */
export const cardBookId = (npcId: string) => `card-${npcId}`;

/** A World Info or lorebook_v3 file as text (characters); a JSON file at its limit still fits in one IPC message. */
export const LOREBOOK_FILE_CHARS = Math.min(8_000_000, charsWithinFrame());
/** How many lorebooks one NPC may have attached. */
export const ATTACHED_LOREBOOKS_MAX = 50;

/** Where the book came from, so export can default to the same format. */
export const LOREBOOK_SOURCES = ['world_info', 'lorebook_v3', 'character_book', 'studio'] as const;

const name = z
  .string()
  .trim()
  .min(1, 'give the lorebook a name')
  .max(LIMITS.shortText, `a lorebook name may have at most ${LIMITS.shortText} characters`);

export const lorebookRecordSchema = z.strictObject({
  version: z.literal(1),
  id: lorebookIdSchema,
  /** What the studio lists it by, and the name a card's `extensions.world` links it with. */
  name,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  source: z.enum(LOREBOOK_SOURCES),
  book: lorebookSchema,
});

/** What `lorebook.save` takes: no id creates a new lorebook. */
export const lorebookDraftSchema = z.strictObject({
  id: lorebookIdSchema.optional(),
  name,
  book: lorebookSchema,
});

export const LOREBOOK_EXPORT_FORMATS = ['st', 'v3'] as const;
export type LorebookExportFormat = (typeof LOREBOOK_EXPORT_FORMATS)[number];

export type LorebookRecord = z.output<typeof lorebookRecordSchema>;
export type LorebookDraft = z.input<typeof lorebookDraftSchema>;
export type LorebookSource = (typeof LOREBOOK_SOURCES)[number];

export interface LorebookSummary {
  id: string;
  name: string;
  entries: number;
  source: LorebookSource;
  updatedAt: string;
  /** NPCs it is attached to, or linked to by their card's `extensions.world`. */
  npcs: { id: string; name: string; how: 'attached' | 'linked' }[];
}
