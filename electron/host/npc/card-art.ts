import { imageSize } from 'image-size';
import { CARD_LIMITS } from '../../../shared/npc';
import { sizeOverLimit } from './byte-size';

/**
 * Card art: a PNG, JPEG or WebP image, checked by its magic bytes and its dimensions (read by image-size,
 * which parses the headers only, so a huge image costs nothing to check).
 */

export const ART_TYPES = {
  png: 'image/png',
  jpg: 'image/jpeg',
  webp: 'image/webp',
} as const;

export type ArtExt = keyof typeof ART_TYPES;

export interface ArtInfo {
  ext: ArtExt;
  mime: (typeof ART_TYPES)[ArtExt];
  width: number;
  height: number;
  bytes: number;
}

export class ArtError extends Error {
  constructor(reason: string) {
    super(`cannot use the image as card art: ${reason}`);
    this.name = 'ArtError';
  }
}

/** Which image this is by its first bytes, or null. */
export function sniffArt(bytes: Uint8Array): ArtExt | null {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 8 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpg';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  return null;
}

/** Checks the image and says what it is; throws ArtError with the reason and the limit. */
export function inspectArt(bytes: Uint8Array): ArtInfo {
  if (bytes.byteLength > CARD_LIMITS.artBytes) {
    throw new ArtError(`it is ${sizeOverLimit(bytes.byteLength, CARD_LIMITS.artBytes)}; use a smaller image`);
  }
  const ext = sniffArt(bytes);
  if (!ext) throw new ArtError('it is not a PNG, JPEG or WebP image (its first bytes say otherwise)');
  let size: { width?: number; height?: number };
  try {
    size = imageSize(bytes);
  } catch (err) {
    throw new ArtError(`its ${ext.toUpperCase()} header cannot be read (${(err as Error).message})`);
  }
  const { width, height } = size;
  if (!width || !height) throw new ArtError('its width or height is 0');
  const side = CARD_LIMITS.artSide;
  if (width > side || height > side) {
    throw new ArtError(`it is ${width}×${height} pixels, at most ${side}×${side}; scale it down`);
  }
  return { ext, mime: ART_TYPES[ext], width, height, bytes: bytes.byteLength };
}
