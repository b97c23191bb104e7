import { z } from 'zod';
import { charsWithinFrame } from './wire';

/** Ids of NPCs, turns, sources, providers: letters, digits, '-', '_' (uuids and slugs fit), 1–64 chars. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export const idSchema = z.string().regex(ID_PATTERN, 'must be 1–64 letters, digits, "-" or "_", starting with a letter or digit');

export const npcIdSchema = idSchema;
export const turnIdSchema = idSchema;
export const sourceIdSchema = idSchema;

/**
 * Upper bounds on text the studio accepts over IPC (characters). The large ones are derived from the
 * WebSocket frame limit (wire.ts), so one field at its limit fits in a frame even when every character escapes.
 */
export const LIMITS = {
  name: 100,
  shortText: 500,
  cardText: 50_000,
  chatText: 20_000,
  sourceName: 200,
  /** One knowledge source pasted or dropped. */
  sourceText: charsWithinFrame(),
  searchQuery: 2_000,
  /** An imported card: JSON text or PNG as base64. */
  cardJson: Math.min(2_000_000, charsWithinFrame()),
  /** Base64 is never escaped by JSON: 1 byte a character. */
  cardPngBase64: Math.min(16_000_000, charsWithinFrame(1)),
  url: 2_000,
  list: 200,
} as const;
