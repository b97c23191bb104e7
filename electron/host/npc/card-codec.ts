import { formatZodPath } from '../fs/json-file';
import {
  CARD_LIMITS,
  cardDataSchema,
  cardJsonChars,
  cardV1Schema,
  cardV2Schema,
  cardV3Schema,
  STUDIO_EXTENSION_KEY,
  studioSettingsSchema,
  type CardAsset,
  type CardData,
  type CardV2,
  type CardV3,
  type StudioSettings,
} from '../../../shared/npc';
import { formatBytes, sizeOverLimit } from './byte-size';
import { ArtError, inspectArt } from './card-art';
import { CharxError, isZip, readCharx, writeCharx } from './charx';
import { findText, isPng, placeholderPng, PngFormatError, readPngChunks, withTextChunks, writePngChunks } from './png-chunks';
import type { z } from 'zod';

/**
 * Character cards in and out (https://github.com/malfoyslastname/character-card-spec-v2,
 * https://github.com/kwaroran/character-card-spec-v3).
 *
 * In: V1, V2 or V3 JSON; a PNG with a `ccv3` (V3) and/or `chara` (V2 or V1) tEXt chunk, base64 JSON, where
 * `ccv3` wins; a CHARX zip (`card.json` + assets). Out: V2 JSON with the V1 fields beside `spec`/`data` (as
 * SillyTavern writes them, for older readers), V3 JSON, a PNG with both chunks, a CHARX.
 *
 * Lossless: the card's data is kept whole (unknown keys, extensions, V3 fields, lorebook decorators in entry
 * content, all verbatim), and top-level keys beside spec/data come back as `extra`. Studio settings travel in
 * `data.extensions.npc_studio`.
 */

export type CardContainer = 'json' | 'png' | 'charx';
export type CardFormat = `${'v1' | 'v2' | 'v3'}-${CardContainer}`;

export interface DecodedCard {
  card: CardData;
  /** Present when the card carried valid studio settings (a card this studio exported). */
  studio?: StudioSettings;
  format: CardFormat;
  warnings: string[];
  /** Top-level keys beside spec, spec_version and data (the V1 copies of data fields left out). */
  extra: Record<string, unknown>;
  /** The card's picture: a PNG card's own image without its card chunks, or a CHARX's main icon. */
  art?: Buffer;
  /** CHARX entries other than card.json and the main icon, by path, to be written back on export. */
  files: Map<string, Buffer>;
}

export class CardImportError extends Error {
  constructor(
    readonly reason: string,
    readonly fieldPath?: string,
  ) {
    super(`cannot import the card: ${fieldPath ? `${fieldPath}: ` : ''}${reason}`);
    this.name = 'CardImportError';
  }
}

export class CardExportError extends Error {
  constructor(reason: string) {
    super(`cannot export the card: ${reason}`);
    this.name = 'CardExportError';
  }
}

/** Bytes (PNG, CHARX or UTF-8 JSON), JSON text, or an already parsed object. */
export type CardInput = Uint8Array | string | Record<string, unknown>;

/** The six V1 (TavernAI) fields, written beside spec/data on a V2 export. */
export const V1_FIELDS = ['name', 'description', 'personality', 'scenario', 'first_mes', 'mes_example'] as const;
const ENVELOPE_KEYS = new Set<string>(['spec', 'spec_version', 'data', ...V1_FIELDS]);
/** The path inside a CHARX where this studio puts the icon when the card names none. */
export const CHARX_ICON_DIR = 'assets/icon/images';
const EMBEDDED = 'embeded://'; // sic: the spec's spelling

const count = (n: number) => n.toLocaleString('en-US');

/** Any card file: JSON, PNG or CHARX (the only format that needs to be read asynchronously). */
export async function decodeCardFile(input: CardInput): Promise<DecodedCard> {
  if (input instanceof Uint8Array && isZip(input)) {
    checkFileSize(input);
    return decodeCharx(input);
  }
  return decodeCard(input);
}

/** JSON or PNG cards. CHARX needs decodeCardFile. */
export function decodeCard(input: CardInput): DecodedCard {
  if (input instanceof Uint8Array) {
    checkFileSize(input);
    if (isZip(input)) throw new CardImportError('a CHARX (zip) card must be read with decodeCardFile');
    if (isPng(input)) return decodePng(input);
    return decodeObject(parseJson(Buffer.from(input).toString('utf8'), 'the file'), 'json');
  }
  if (typeof input === 'string') {
    if (input.length > CARD_LIMITS.cardFileChars) {
      throw new CardImportError(`the text is ${count(input.length)} characters, at most ${count(CARD_LIMITS.cardFileChars)}`);
    }
    return decodeObject(parseJson(input, 'the text'), 'json');
  }
  return decodeObject(input, 'json');
}

function checkFileSize(bytes: Uint8Array): void {
  if (bytes.byteLength > CARD_LIMITS.cardFileBytes) {
    throw new CardImportError(`the file is ${sizeOverLimit(bytes.byteLength, CARD_LIMITS.cardFileBytes)}`);
  }
}

function decodePng(bytes: Uint8Array): DecodedCard {
  let chunks;
  try {
    chunks = readPngChunks(bytes);
  } catch (err) {
    if (err instanceof PngFormatError) throw new CardImportError(err.message);
    throw err;
  }
  const v3 = findText(chunks, 'ccv3');
  const v2 = findText(chunks, 'chara');
  const keyword = v3 !== undefined ? 'ccv3' : 'chara';
  const text = v3 ?? v2;
  if (text === undefined) throw new CardImportError('the PNG has no "chara" or "ccv3" tEXt chunk, so it is not a character card');
  const decoded = decodeObject(parseJson(base64Text(text, keyword), `the "${keyword}" chunk`), 'png');
  // The picture is the file minus its card chunks: every other chunk (pixels included) byte for byte.
  const art = writePngChunks(withTextChunks(chunks, {}, ['chara', 'ccv3']));
  try {
    inspectArt(art);
    decoded.art = art;
  } catch (err) {
    if (!(err instanceof ArtError)) throw err;
    decoded.warnings.push(`the card's picture was not kept: ${err.message}`);
  }
  return decoded;
}

function base64Text(text: string, keyword: string): string {
  // base64 grows 4/3; the UTF-8 it decodes to is at least as many bytes as characters.
  const maxChars = Math.ceil((CARD_LIMITS.cardFileChars * 3 * 4) / 3) + 4;
  if (text.length > maxChars) {
    throw new CardImportError(`the "${keyword}" chunk is ${count(text.length)} characters, at most ${count(maxChars)}`, keyword);
  }
  if (!/^[A-Za-z0-9+/=\s]*$/.test(text)) throw new CardImportError(`the "${keyword}" chunk is not base64`, keyword);
  const json = Buffer.from(text, 'base64').toString('utf8');
  if (json.length > CARD_LIMITS.cardFileChars) {
    throw new CardImportError(
      `the card in "${keyword}" is ${count(json.length)} characters, at most ${count(CARD_LIMITS.cardFileChars)}`,
      keyword,
    );
  }
  return json;
}

async function decodeCharx(bytes: Uint8Array): Promise<DecodedCard> {
  let files: Map<string, Buffer>;
  try {
    files = await readCharx(bytes);
  } catch (err) {
    if (err instanceof CharxError) throw new CardImportError(err.message.replace(/^cannot read the CHARX file: /, ''), err.entry);
    throw err;
  }
  const cardJson = files.get('card.json');
  if (!cardJson) throw new CardImportError('the CHARX has no card.json at its root', 'card.json');
  if (cardJson.length > CARD_LIMITS.cardFileChars * 3)
    throw new CardImportError(`card.json is ${formatBytes(cardJson.length)}, more than a card may be`, 'card.json');
  files.delete('card.json');
  const decoded = decodeObject(parseJson(cardJson.toString('utf8'), 'card.json'), 'charx');
  for (const [path] of files) {
    // x_npc_studio/ is the studio's own app data (the NPC's test suite, suites/suite-charx.ts).
    if (!path.startsWith('assets/') && !path.startsWith('x_npc_studio/') && !/^[^/]+$/.test(path))
      decoded.warnings.push(`kept ${path}, which is outside assets/`);
  }
  const iconPath = mainIconPath(decoded.card.assets);
  const icon = iconPath ? files.get(iconPath) : undefined;
  if (iconPath && icon) {
    try {
      inspectArt(icon);
      decoded.art = icon;
      files.delete(iconPath);
    } catch (err) {
      if (!(err instanceof ArtError)) throw err;
      decoded.warnings.push(`${iconPath} kept as an asset, not as the card's picture: ${err.message}`);
    }
  } else if (iconPath) {
    decoded.warnings.push(`the icon ${EMBEDDED}${iconPath} is not in the CHARX`);
  }
  decoded.files = files;
  return decoded;
}

/** The path inside the CHARX of the main icon (`type: icon`, named `main` or else the first), if embedded. */
export function mainIconPath(assets: readonly CardAsset[] | undefined): string | undefined {
  const icons = (assets ?? []).filter((a) => a.type === 'icon');
  const main = icons.find((a) => a.name === 'main') ?? icons[0];
  return main?.uri.startsWith(EMBEDDED) ? main.uri.slice(EMBEDDED.length) : undefined;
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

function decodeObject(raw: unknown, container: CardContainer): DecodedCard {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new CardImportError('a card is a JSON object');
  const record = raw as Record<string, unknown>;
  const spec = record.spec;
  let card: CardData;
  let version: 'v1' | 'v2' | 'v3';
  if (spec === 'chara_card_v3') {
    card = checked(cardV3Schema, raw).data;
    version = 'v3';
    // V3 requires the field and V3 export always writes it; kept only when it says something, so a V2 card
    // that went through a V3 file (the PNG ccv3 chunk) comes back as it was.
    if (card.group_only_greetings?.length === 0) delete card.group_only_greetings;
  } else if (spec === 'chara_card_v2') {
    card = checked(cardV2Schema, raw).data;
    version = 'v2';
  } else if (spec === undefined) {
    card = fromV1(record);
    version = 'v1';
  } else {
    throw new CardImportError(
      `spec ${JSON.stringify(spec)} is not supported (V3 "chara_card_v3", V2 "chara_card_v2" and V1 cards are)`,
      'spec',
    );
  }
  const extra = Object.fromEntries(Object.entries(record).filter(([k]) => !ENVELOPE_KEYS.has(k)));
  checkWhole(card, extra);
  return withStudio({ card, format: `${version}-${container}`, warnings: [], extra, files: new Map() });
}

/** The whole-card limit, checked at import with the same numbers as at save (npcDraftSchema). */
function checkWhole(card: CardData, extra: Record<string, unknown>): void {
  const chars = cardJsonChars(card, extra);
  if (chars > CARD_LIMITS.cardJson) {
    throw new CardImportError(
      `the card is ${count(chars)} characters as JSON, at most ${count(CARD_LIMITS.cardJson)}; shorten its texts or its lorebook`,
      'data',
    );
  }
}

/** V1 cards have the six flat fields; TavernAI's creatorcomment and tags are kept where V2 has them. */
function fromV1(raw: Record<string, unknown>): CardData {
  const v1 = checked(cardV1Schema, raw);
  const tags = Array.isArray(raw.tags) && raw.tags.every((t) => typeof t === 'string') ? raw.tags : [];
  return cardDataSchema.parse({
    ...Object.fromEntries(V1_FIELDS.map((k) => [k, v1[k]])),
    creator_notes: typeof raw.creatorcomment === 'string' ? raw.creatorcomment : '',
    tags,
  });
}

function withStudio(decoded: DecodedCard): DecodedCard {
  const { card } = decoded;
  const carried = card.extensions[STUDIO_EXTENSION_KEY];
  if (carried === undefined) return decoded;
  const parsed = studioSettingsSchema.safeParse(carried);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = formatZodPath(['extensions', STUDIO_EXTENSION_KEY, ...issue.path]);
    decoded.warnings.push(`studio settings in ${path} ignored (${issue.message}); defaults used, the extension is kept as it was`);
    return decoded;
  }
  const { [STUDIO_EXTENSION_KEY]: _studio, ...extensions } = card.extensions;
  return { ...decoded, card: { ...card, extensions }, studio: parsed.data };
}

// ------------------------------------------------------------------------------------------------ export

/** What an export needs of an NPC. */
export interface CardSource {
  card: CardData;
  studio: StudioSettings;
  cardExtra?: Record<string, unknown>;
}

function dataOf(npc: CardSource): CardData {
  return { ...npc.card, extensions: { ...npc.card.extensions, [STUDIO_EXTENSION_KEY]: npc.studio } };
}

/** The V2 card, with the six V1 fields beside spec/data (as SillyTavern writes them) and kept top-level keys. */
export function encodeCardV2(npc: CardSource): CardV2 & Record<string, unknown> {
  const data = dataOf(npc);
  const v1 = Object.fromEntries(V1_FIELDS.map((k) => [k, data[k]]));
  return { ...v1, ...npc.cardExtra, spec: 'chara_card_v2', spec_version: '2.0', data };
}

/** The V3 card; `group_only_greetings` is required there, so an absent one is written as []. */
export function encodeCardV3(npc: CardSource): CardV3 & Record<string, unknown> {
  const data = dataOf(npc);
  return {
    ...npc.cardExtra,
    spec: 'chara_card_v3',
    spec_version: '3.0',
    data: { ...data, group_only_greetings: data.group_only_greetings ?? [] },
  };
}

export function encodeCardJson(npc: CardSource, version: 'v2' | 'v3' = 'v2'): string {
  return JSON.stringify(version === 'v3' ? encodeCardV3(npc) : encodeCardV2(npc), null, 2) + '\n';
}

/**
 * The card embedded in `image` (the NPC's art; a generated 64×64 placeholder only when there is none):
 * only the `chara` and `ccv3` tEXt chunks are replaced, every other chunk is copied byte for byte, so the
 * pixels are the art's. Both chunks are written, as the V3 spec advises: `ccv3` for V3 readers, `chara`
 * (V2 with the V1 fields) for the others.
 */
export function encodeCardPng(npc: CardSource, image?: Uint8Array): Buffer {
  if (image && !isPng(image)) {
    throw new CardExportError(
      "the NPC's art is not a PNG image, and a PNG card is a PNG; export as CHARX (it keeps the art as it is), or set PNG art",
    );
  }
  const chunks = readPngChunks(image ?? placeholderPng()); // a bad image throws PngFormatError
  const base64 = (card: object) => Buffer.from(JSON.stringify(card), 'utf8').toString('base64');
  return writePngChunks(withTextChunks(chunks, { chara: base64(encodeCardV2(npc)), ccv3: base64(encodeCardV3(npc)) }));
}

/**
 * A CHARX: card.json (V3), the art as the main icon asset, and the other files kept from import. The icon
 * goes where the card's main icon asset points; a card with art but no embedded icon gets one added.
 */
export async function encodeCharx(
  npc: CardSource,
  art?: { bytes: Uint8Array; ext: string },
  files?: ReadonlyMap<string, Uint8Array>,
): Promise<Buffer> {
  let card = npc.card;
  const out = new Map<string, Uint8Array>();
  if (art) {
    let iconPath = mainIconPath(card.assets);
    if (!iconPath) {
      iconPath = `${CHARX_ICON_DIR}/main.${art.ext}`;
      const others = (card.assets ?? []).filter((a) => !(a.type === 'icon' && a.name === 'main'));
      card = { ...card, assets: [{ type: 'icon', uri: `${EMBEDDED}${iconPath}`, name: 'main', ext: art.ext }, ...others] };
    }
    out.set(iconPath, art.bytes);
  }
  const cardJson = Buffer.from(JSON.stringify(encodeCardV3({ ...npc, card }), null, 2) + '\n', 'utf8');
  const all = new Map<string, Uint8Array>([['card.json', cardJson], ...(files ?? new Map()), ...out]);
  return writeCharx(all);
}
