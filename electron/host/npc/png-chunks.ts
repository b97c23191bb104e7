import { crc32, deflateSync } from 'node:zlib';

/**
 * Just enough PNG to carry a character card: split a file into chunks (checking signature and CRCs),
 * join chunks back, read and write tEXt chunks, and make a small placeholder image. The popular
 * png-chunks-* packages do the same but have been unmaintained since 2016; Node's zlib.crc32 makes this short.
 */

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface PngChunk {
  type: string;
  data: Buffer;
}

export class PngFormatError extends Error {
  constructor(message: string) {
    super(`not a usable PNG: ${message}`);
    this.name = 'PngFormatError';
  }
}

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && Buffer.from(bytes.buffer, bytes.byteOffset, 8).equals(PNG_SIGNATURE);
}

export function readPngChunks(bytes: Uint8Array): PngChunk[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isPng(buf)) throw new PngFormatError('the PNG signature is missing');
  const chunks: PngChunk[] = [];
  let pos = 8;
  while (pos < buf.length) {
    if (pos + 12 > buf.length) throw new PngFormatError(`chunk header cut off at byte ${pos}`);
    const length = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    const end = pos + 12 + length;
    if (end > buf.length) throw new PngFormatError(`chunk ${type} at byte ${pos} runs past the end of the file`);
    const data = buf.subarray(pos + 8, pos + 8 + length);
    const stored = buf.readUInt32BE(pos + 8 + length);
    if (crc32(data, crc32(type)) !== stored) throw new PngFormatError(`chunk ${type} at byte ${pos} has a bad CRC`);
    chunks.push({ type, data });
    pos = end;
    if (type === 'IEND') break;
  }
  if (chunks[0]?.type !== 'IHDR') throw new PngFormatError('the first chunk is not IHDR');
  if (chunks.at(-1)?.type !== 'IEND') throw new PngFormatError('the IEND chunk is missing');
  return chunks;
}

export function writePngChunks(chunks: readonly PngChunk[]): Buffer {
  const parts: Buffer[] = [PNG_SIGNATURE];
  for (const { type, data } of chunks) {
    if (!/^[A-Za-z]{4}$/.test(type)) throw new PngFormatError(`bad chunk type "${type}"`);
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(data, crc32(type)), 0);
    parts.push(head, data, crc);
  }
  return Buffer.concat(parts);
}

/** tEXt: Latin-1 keyword, a zero byte, Latin-1 text. */
export function textChunk(keyword: string, text: string): PngChunk {
  if (!/^[\x20-\x7e\xa1-\xff]{1,79}$/.test(keyword)) throw new PngFormatError(`bad tEXt keyword "${keyword}"`);
  if ([...text].some((ch) => ch.charCodeAt(0) > 0xff)) throw new PngFormatError('tEXt text must be Latin-1 (encode it, e.g. as base64)');
  return { type: 'tEXt', data: Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0]), Buffer.from(text, 'latin1')]) };
}

export function readTextChunk(chunk: PngChunk): { keyword: string; text: string } | null {
  if (chunk.type !== 'tEXt') return null;
  const zero = chunk.data.indexOf(0);
  if (zero < 1) return null;
  return { keyword: chunk.data.toString('latin1', 0, zero), text: chunk.data.toString('latin1', zero + 1) };
}

/** The text of the first tEXt chunk with this keyword, or undefined. */
export function findText(chunks: readonly PngChunk[], keyword: string): string | undefined {
  for (const chunk of chunks) {
    const t = readTextChunk(chunk);
    if (t?.keyword === keyword) return t.text;
  }
  return undefined;
}

/** Replaces the tEXt chunks named in `texts` (and drops those in `remove`); new ones go just before IEND. */
export function withTextChunks(chunks: readonly PngChunk[], texts: Record<string, string>, remove: string[] = []): PngChunk[] {
  const names = new Set([...Object.keys(texts), ...remove]);
  const kept = chunks.filter((c) => {
    const t = readTextChunk(c);
    return !(t && names.has(t.keyword)) && c.type !== 'IEND';
  });
  const iend = chunks.at(-1)!;
  return [...kept, ...Object.entries(texts).map(([k, v]) => textChunk(k, v)), iend];
}

/** A square RGB image of one colour: the card picture when the NPC has none. */
export function placeholderPng(size = 64, rgb: [number, number, number] = [0x5b, 0x6c, 0x8f]): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: truecolour
  const row = Buffer.alloc(1 + size * 3); // filter byte 0, then pixels
  for (let x = 0; x < size; x++) row.set(rgb, 1 + x * 3);
  const raw = Buffer.concat(Array.from({ length: size }, () => row));
  return writePngChunks([
    { type: 'IHDR', data: ihdr },
    { type: 'IDAT', data: deflateSync(raw) },
    { type: 'IEND', data: Buffer.alloc(0) },
  ]);
}
