/**
 * Community card files built and read the way other tools do, without the studio's codec: a RisuAI-style V3
 * CHARX (yazl zip: card.json, a non-square PNG icon, an emotion image, an audio file) and a SillyTavern V2 PNG
 * (pngjs pixels with a `chara` tEXt chunk). Readers for what the studio exports: the tEXt chunks of a PNG and
 * the entries of a zip (yauzl). Shared by the UI round trip (Playwright) and the CLI round trip (Vitest), so it
 * imports neither runner.
 */
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { fullCardV3, sillyTavernCardV2 } from '../npc/card-fixtures';
import { pixelsOf, pngImage } from '../npc/card-test-images';

/** The six V1 (TavernAI) fields SillyTavern writes beside spec/data. */
export const V1_FIELDS = ['name', 'description', 'personality', 'scenario', 'first_mes', 'mes_example'] as const;

/** The studio's own settings inside data.extensions of what it exports; not part of the source card. */
export const STUDIO_EXTENSION = 'npc_studio';

export const ICON_PATH = 'assets/icon/images/main.png';
const EMOTION_PATH = 'assets/emotion/images/happy.webp';
const AUDIO_PATH = 'assets/other/audio/wind.mp3';

export interface CommunityCharx {
  card: ReturnType<typeof fullCardV3>;
  icon: Buffer;
  /** Every zip entry other than card.json and the icon, by path. */
  assets: Map<string, Buffer>;
  bytes: Buffer;
}

/** A V3 CHARX as RisuAI writes one: every V3 field, unknown extensions, a 300×420 icon and two other assets. */
export async function communityCharx(): Promise<CommunityCharx> {
  const card = fullCardV3();
  // Another name than the SillyTavern card's (the same character), so both can be told apart in one studio.
  card.data.name = 'Ilse Varga of the Kestrel';
  const icon = pngImage(300, 420, 11);
  const assets = new Map<string, Buffer>([
    [EMOTION_PATH, Buffer.concat([Buffer.from('RIFF\x24\x00\x00\x00WEBPVP8 ', 'latin1'), Buffer.alloc(24, 7)])],
    [AUDIO_PATH, Buffer.concat([Buffer.from('ID3\x03\x00\x00\x00\x00\x00\x00', 'latin1'), Buffer.alloc(64, 3)])],
  ]);
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from(JSON.stringify(card, null, 2)), 'card.json', { compress: true });
  zip.addBuffer(icon, ICON_PATH, { compress: false });
  for (const [path, bytes] of assets) zip.addBuffer(bytes, path, { compress: true });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream as AsyncIterable<Buffer>) chunks.push(c);
  return { card, icon, assets, bytes: Buffer.concat(chunks) };
}

export interface CommunityPng {
  card: ReturnType<typeof sillyTavernCardV2>;
  /** The picture before the card was put in it. */
  art: Buffer;
  bytes: Buffer;
}

/** A SillyTavern V2 card PNG: a 400×600 picture with the card, base64 JSON, in a `chara` tEXt chunk before IEND. */
export function sillyTavernPng(): CommunityPng {
  const card = sillyTavernCardV2();
  const art = pngImage(400, 600, 5);
  const text = Buffer.from(`chara\0${Buffer.from(JSON.stringify(card), 'utf8').toString('base64')}`, 'latin1');
  const iend = art.length - 12;
  return { card, art, bytes: Buffer.concat([art.subarray(0, iend), pngChunk('tEXt', text), art.subarray(iend)]) };
}

function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** The tEXt chunks of a PNG, keyword → text. */
export function pngTextChunks(png: Buffer): Map<string, string> {
  const texts = new Map<string, string>();
  for (let at = 8; at + 8 <= png.length;) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    if (type === 'tEXt') {
      const data = png.subarray(at + 8, at + 8 + length);
      const nul = data.indexOf(0);
      texts.set(data.toString('latin1', 0, nul), data.toString('latin1', nul + 1));
    }
    at += 12 + length;
  }
  return texts;
}

/** The card JSON in a PNG's tEXt chunk (`chara` or `ccv3`), decoded from base64. */
export function cardInPng(png: Buffer, keyword: 'chara' | 'ccv3'): Record<string, unknown> {
  const text = pngTextChunks(png).get(keyword);
  if (text === undefined) throw new Error(`the PNG has no "${keyword}" tEXt chunk`);
  return JSON.parse(Buffer.from(text, 'base64').toString('utf8')) as Record<string, unknown>;
}

/** Every file entry of a zip, path → bytes (yauzl). */
export function zipEntries(zip: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (err, file) => {
      if (err) return reject(err);
      const out = new Map<string, Buffer>();
      file.on('error', reject);
      file.on('end', () => resolve(out));
      file.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/')) return file.readEntry();
        file.openReadStream(entry, (streamErr, stream) => {
          if (streamErr) return reject(streamErr);
          const parts: Buffer[] = [];
          stream.on('data', (d: Buffer) => parts.push(d));
          stream.on('error', reject);
          stream.on('end', () => {
            out.set(entry.fileName, Buffer.concat(parts));
            file.readEntry();
          });
        });
      });
      file.readEntry();
    });
  });
}

/** A card's data as the source had it: the studio's own extension (its settings) taken out. */
export function withoutStudio(data: unknown): Record<string, unknown> {
  const { extensions, ...rest } = data as { extensions: Record<string, unknown> } & Record<string, unknown>;
  const { [STUDIO_EXTENSION]: _studio, ...others } = extensions;
  return { ...rest, extensions: others };
}

/**
 * The top-level keys of a card file other than spec, spec_version and the V1 copies of data fields (SillyTavern's
 * avatar, chat, create_date, …): kept on import and written back in every format, V3 too.
 */
export function topLevelExtra(card: Record<string, unknown>): Record<string, unknown> {
  const envelope = new Set<string>(['spec', 'spec_version', 'data', ...V1_FIELDS]);
  return Object.fromEntries(Object.entries(card).filter(([k]) => !envelope.has(k)));
}

/** The RGBA pixels of a PNG and its size (pngjs), for comparing pictures whatever chunks surround them. */
export { pixelsOf };
