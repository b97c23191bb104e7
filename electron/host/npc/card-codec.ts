import { formatZodPath } from '../fs/json-file';
import {
  cardDataSchema,
  cardV1Schema,
  cardV2Schema,
  STUDIO_EXTENSION_KEY,
  studioSettingsSchema,
  type CardData,
  type CardV2,
  type StudioSettings,
} from './npc-schema';
import { findText, isPng, placeholderPng, PngFormatError, readPngChunks, withTextChunks, writePngChunks } from './png-chunks';
import type { z } from 'zod';

/**
 * Character cards in and out. In: V2 JSON, V1 JSON (flat fields), or a PNG whose `chara` tEXt chunk holds
 * the card as base64 JSON. Out: V2 JSON, or a PNG with that chunk. Studio settings travel in
 * `data.extensions.npc_studio`; every other extension key is carried through as it came.
 */

export type CardFormat = 'v2-json' | 'v1-json' | 'v2-png' | 'v1-png';

export interface DecodedCard {
  card: CardData;
  /** Present when the card carried valid studio settings (a card this studio exported). */
  studio?: StudioSettings;
  format: CardFormat;
  warnings: string[];
}

export class CardImportError extends Error {
  constructor(
    reason: string,
    readonly fieldPath?: string,
  ) {
    super(`cannot import the card: ${fieldPath ? `${fieldPath}: ` : ''}${reason}`);
    this.name = 'CardImportError';
  }
}

/** Bytes (PNG or UTF-8 JSON), JSON text, or an already parsed object. */
export type CardInput = Uint8Array | string | Record<string, unknown>;

export function decodeCard(input: CardInput): DecodedCard {
  let raw: unknown;
  let container: 'json' | 'png' = 'json';
  if (input instanceof Uint8Array) {
    if (isPng(input)) {
      container = 'png';
      raw = parseJson(pngCardText(input), 'the "chara" chunk');
    } else {
      raw = parseJson(Buffer.from(input).toString('utf8'), 'the file');
    }
  } else if (typeof input === 'string') {
    raw = parseJson(input, 'the text');
  } else {
    raw = input;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new CardImportError('a card is a JSON object');
  const spec = (raw as { spec?: unknown }).spec;
  if (spec === 'chara_card_v2') return withStudio(checked(cardV2Schema, raw).data, `v2-${container}`);
  if (spec !== undefined) throw new CardImportError(`spec ${JSON.stringify(spec)} is not supported (V2 "chara_card_v2" and V1 cards are)`, 'spec');
  return withStudio(fromV1(raw as Record<string, unknown>), `v1-${container}`);
}

function pngCardText(bytes: Uint8Array): string {
  let text: string | undefined;
  try {
    text = findText(readPngChunks(bytes), 'chara');
  } catch (err) {
    if (err instanceof PngFormatError) throw new CardImportError(err.message);
    throw err;
  }
  if (text === undefined) throw new CardImportError('the PNG has no "chara" tEXt chunk, so it is not a character card');
  if (!/^[A-Za-z0-9+/=\s]*$/.test(text)) throw new CardImportError('the "chara" chunk is not base64');
  return Buffer.from(text, 'base64').toString('utf8');
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new CardImportError(`${what} is not valid JSON (${(err as Error).message})`);
  }
}

function checked<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new CardImportError(issue.message, formatZodPath(issue.path) || '(root)');
}

/** V1 cards have the six flat fields; TavernAI's creatorcomment and tags are kept where V2 has them. */
function fromV1(raw: Record<string, unknown>): CardData {
  const v1 = checked(cardV1Schema, raw);
  const tags = Array.isArray(raw.tags) && raw.tags.every((t) => typeof t === 'string') ? raw.tags : [];
  return cardDataSchema.parse({
    name: v1.name,
    description: v1.description,
    personality: v1.personality,
    scenario: v1.scenario,
    first_mes: v1.first_mes,
    mes_example: v1.mes_example,
    creator_notes: typeof raw.creatorcomment === 'string' ? raw.creatorcomment : '',
    tags,
  });
}

function withStudio(card: CardData, format: CardFormat): DecodedCard {
  const warnings: string[] = [];
  const carried = card.extensions[STUDIO_EXTENSION_KEY];
  if (carried === undefined) return { card, format, warnings };
  const parsed = studioSettingsSchema.safeParse(carried);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = formatZodPath(['extensions', STUDIO_EXTENSION_KEY, ...issue.path]);
    warnings.push(`studio settings in ${path} ignored (${issue.message}); defaults used, the extension is kept as it was`);
    return { card, format, warnings };
  }
  const { [STUDIO_EXTENSION_KEY]: _studio, ...extensions } = card.extensions;
  return { card: { ...card, extensions }, studio: parsed.data, format, warnings };
}

/** The V2 card of an NPC, with its studio settings under extensions.npc_studio. */
export function encodeCardV2(npc: { card: CardData; studio: StudioSettings }): CardV2 {
  return {
    spec: 'chara_card_v2',
    spec_version: '2.0',
    data: { ...npc.card, extensions: { ...npc.card.extensions, [STUDIO_EXTENSION_KEY]: npc.studio } },
  };
}

export function encodeCardJson(npc: { card: CardData; studio: StudioSettings }): string {
  return JSON.stringify(encodeCardV2(npc), null, 2) + '\n';
}

/**
 * The card embedded in `image` (or in a generated placeholder). Any older `chara` chunk is replaced, and a
 * `ccv3` chunk is removed too: V3-aware readers prefer it, so a stale one would hide the edits.
 */
export function encodeCardPng(npc: { card: CardData; studio: StudioSettings }, image?: Uint8Array): Buffer {
  const chunks = readPngChunks(image ?? placeholderPng()); // a bad image throws PngFormatError
  const base64 = Buffer.from(JSON.stringify(encodeCardV2(npc)), 'utf8').toString('base64');
  return writePngChunks(withTextChunks(chunks, { chara: base64 }, ['ccv3']));
}
