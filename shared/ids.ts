import { z } from 'zod';

/** Ids of NPCs, turns, sources, providers: letters, digits, '-', '_' (uuids and slugs fit), 1–64 chars. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export const idSchema = z
  .string()
  .regex(ID_PATTERN, 'must be 1–64 letters, digits, "-" or "_", starting with a letter or digit');

export const npcIdSchema = idSchema;
export const turnIdSchema = idSchema;
export const sourceIdSchema = idSchema;
export const providerIdSchema = idSchema;

/** Upper bounds on text the studio accepts over IPC (characters). */
export const LIMITS = {
  name: 100,
  shortText: 500,
  cardText: 50_000,
  chatText: 20_000,
  sourceName: 200,
  /** One knowledge source pasted or dropped. */
  sourceText: 5_000_000,
  searchQuery: 2_000,
  /** An imported card: JSON text or PNG as base64. */
  cardJson: 2_000_000,
  cardPngBase64: 16_000_000,
  url: 2_000,
  list: 200,
} as const;
