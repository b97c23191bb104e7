import { PNG } from 'pngjs';

/** A PNG made by pngjs (another encoder than ours) with distinct, non-uniform pixels. */
export function pngImage(width: number, height: number, seed = 7): Buffer {
  const png = new PNG({ width, height });
  for (let i = 0; i < png.data.length; i++) png.data[i] = (i * 31 + seed * 17 + ((i >> 10) & 0xff)) % 256;
  return PNG.sync.write(png);
}

/** The decoded RGBA pixels and size of a PNG, read by pngjs. */
export function pixelsOf(png: Uint8Array): { width: number; height: number; data: Buffer } {
  const { width, height, data } = PNG.sync.read(Buffer.from(png));
  return { width, height, data };
}

/** The headers of a baseline JPEG of this size (enough for a header reader; no image data). */
export function jpegHeader(width: number, height: number): Buffer {
  const sof = [
    0xff,
    0xc0,
    0x00,
    0x11,
    0x08,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    0x03,
    1,
    0x22,
    0,
    2,
    0x11,
    1,
    3,
    0x11,
    1,
  ];
  return Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0, ...sof, 0xff, 0xd9]);
}
