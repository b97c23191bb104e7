import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { CardImportError, decodeCard, encodeCardJson, encodeCardPng, encodeCardV2 } from '../../electron/host/npc/card-codec';
import {
  PngFormatError,
  placeholderPng,
  readPngChunks,
  findText,
  withTextChunks,
  writePngChunks,
} from '../../electron/host/npc/png-chunks';
import { cardV1, fullCardV2 } from './card-fixtures';
import { createRequire } from 'node:module';
// pngjs's own CRC, to check ours against an implementation we did not write.
const PngjsCrc = createRequire(import.meta.url)('pngjs/lib/crc') as { crc32(buf: Buffer): number };

/** Walks the file by hand and checks each chunk's stored CRC with pngjs's CRC. */
function crcsAgree(png: Buffer): number {
  let pos = 8;
  let checked = 0;
  while (pos < png.length) {
    const length = png.readUInt32BE(pos);
    const typeAndData = png.subarray(pos + 4, pos + 8 + length);
    expect(PngjsCrc.crc32(typeAndData) >>> 0).toBe(png.readUInt32BE(pos + 8 + length));
    checked++;
    pos += 12 + length;
  }
  return checked;
}

/** A real image made by another encoder: 5×3 RGBA with distinct pixels. */
function pngjsImage(): Buffer {
  const png = new PNG({ width: 5, height: 3 });
  for (let i = 0; i < png.data.length; i++) png.data[i] = (i * 37) % 256;
  return PNG.sync.write(png);
}

const studio = { processor: 'hosted' as const, model: 'claude-test', sampling: { temperature: 0.4, numCtx: 8192 } };

describe('card codec', () => {
  it('decodes a V2 card field for field, unknown keys and extensions included', () => {
    const source = fullCardV2();
    const decoded = decodeCard(JSON.stringify(source));
    expect(decoded.format).toBe('v2-json');
    expect(decoded.studio).toBeUndefined();
    expect(decoded.card).toEqual(source.data);
    expect(encodeCardV2({ card: decoded.card, studio }).data).toEqual({
      ...source.data,
      extensions: { ...source.data.extensions, npc_studio: studio },
    });
  });

  it('takes studio settings out of extensions.npc_studio and puts them back on export', () => {
    const exported = JSON.parse(encodeCardJson({ card: decodeCard(fullCardV2()).card, studio }));
    const again = decodeCard(exported);
    expect(again.studio).toEqual(studio);
    expect(again.card.extensions).not.toHaveProperty('npc_studio');
    expect(again.card).toEqual(fullCardV2().data);
  });

  it('keeps invalid studio settings as a plain extension and warns with the field path', () => {
    const card = fullCardV2();
    (card.data.extensions as Record<string, unknown>).npc_studio = { processor: 'cloud', model: 'x' };
    const decoded = decodeCard(card);
    expect(decoded.studio).toBeUndefined();
    expect(decoded.card.extensions.npc_studio).toEqual({ processor: 'cloud', model: 'x' });
    expect(decoded.warnings.join()).toMatch(/extensions\.npc_studio\.processor/);
  });

  it('imports a V1 card (flat fields) and keeps creatorcomment and tags', () => {
    const decoded = decodeCard(Buffer.from(JSON.stringify(cardV1())));
    expect(decoded.format).toBe('v1-json');
    expect(decoded.card).toMatchObject({
      name: 'Old Tom',
      description: 'A ferryman on the Grey River.',
      personality: 'quiet',
      scenario: 'Night, on the ferry.',
      first_mes: 'Fare is two coppers.',
      mes_example: '<START>\n<USER>: Hello\n<BOT>: Hm.',
      creator_notes: 'Made in TavernAI',
      tags: ['ferry'],
      alternate_greetings: [],
      system_prompt: '',
      extensions: {},
    });
    expect(decoded.card).not.toHaveProperty('avatar');
  });

  it('round-trips through PNG: the image stays a valid PNG with the same pixels and the card comes back whole', () => {
    const image = pngjsImage();
    const card = decodeCard(fullCardV2()).card;
    const png = encodeCardPng({ card, studio }, image);

    const decodedImage = PNG.sync.read(png);
    const original = PNG.sync.read(image);
    expect([decodedImage.width, decodedImage.height]).toEqual([5, 3]);
    expect(Buffer.compare(decodedImage.data, original.data)).toBe(0);
    expect(crcsAgree(png)).toBe(readPngChunks(png).length);
    expect(readPngChunks(png).map((c) => c.type)).toEqual([
      ...readPngChunks(image)
        .map((c) => c.type)
        .slice(0, -1),
      'tEXt',
      'tEXt',
      'IEND',
    ]);

    const back = decodeCard(png);
    expect(back.format).toBe('v3-png');
    expect(back.card).toEqual(fullCardV2().data);
    expect(back.studio).toEqual(studio);
  });

  it('replaces both older card chunks when embedding again, keeping other text chunks', () => {
    const first = encodeCardPng({ card: { ...decodeCard(fullCardV2()).card, name: 'First' }, studio });
    const commented = writePngChunks(withTextChunks(readPngChunks(first), { Comment: 'drawn by hand' }));
    const second = encodeCardPng({ card: { ...decodeCard(fullCardV2()).card, name: 'Second' }, studio }, commented);
    const chunks = readPngChunks(second);
    expect(chunks.filter((c) => c.type === 'tEXt')).toHaveLength(3);
    expect(findText(chunks, 'Comment')).toBe('drawn by hand');
    const chara = JSON.parse(Buffer.from(findText(chunks, 'chara')!, 'base64').toString('utf8'));
    const ccv3 = JSON.parse(Buffer.from(findText(chunks, 'ccv3')!, 'base64').toString('utf8'));
    expect([chara.spec, chara.name, chara.data.name]).toEqual(['chara_card_v2', 'Second', 'Second']);
    expect([ccv3.spec, ccv3.spec_version, ccv3.data.name]).toEqual(['chara_card_v3', '3.0', 'Second']);
    expect(decodeCard(second).card.name).toBe('Second');
  });

  it('makes a placeholder picture that another decoder reads', () => {
    const png = PNG.sync.read(placeholderPng(16));
    expect([png.width, png.height]).toEqual([16, 16]);
    expect([...png.data.subarray(0, 4)]).toEqual([0x5b, 0x6c, 0x8f, 0xff]);
  });

  it('gives clear errors for bad input', () => {
    const noCard = pngjsImage();
    expect(() => decodeCard(noCard)).toThrow(/no "chara" or "ccv3" tEXt chunk/);
    const corrupt = Buffer.from(encodeCardPng({ card: decodeCard(fullCardV2()).card, studio }));
    corrupt[corrupt.length - 20]! ^= 0xff; // inside the tEXt chunk's data
    expect(() => decodeCard(corrupt)).toThrow(/bad CRC/);
    expect(() => decodeCard('{"spec":"chara_card_v2","spec_version":"2.0","data":{"name":"A","tags":"x"}}')).toThrow(/data\.tags/);
    expect(() => decodeCard('{"spec":"chara_card_v4","data":{}}')).toThrow(/chara_card_v4.*not supported/);
    expect(() => decodeCard('{"spec":"chara_card_v3","spec_version":"3.0","data":{}}')).toThrow(/data\.name/);
    expect(() => decodeCard('{"description":"no name"}')).toThrow(CardImportError);
    expect(() => decodeCard('not json')).toThrow(/not valid JSON/);
    expect(() => encodeCardPng({ card: decodeCard(cardV1()).card, studio }, Buffer.from('GIF89a....'))).toThrow(
      /not a PNG image.*export as CHARX/,
    );
    expect(() => encodeCardPng({ card: decodeCard(cardV1()).card, studio }, placeholderPng().subarray(0, 40))).toThrow(PngFormatError);
  });

  it('reads the chara chunk from a PNG another tool wrote (pngjs image, chunk added by hand)', () => {
    const image = pngjsImage();
    const payload = Buffer.from(JSON.stringify(cardV1())).toString('base64');
    const data = Buffer.concat([Buffer.from('chara\0', 'latin1'), Buffer.from(payload, 'latin1')]);
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write('tEXt', 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(PngjsCrc.crc32(Buffer.concat([Buffer.from('tEXt'), data])) >>> 0, 0);
    const withCard = Buffer.concat([image.subarray(0, 33), head, data, crc, image.subarray(33)]); // after IHDR
    expect(findText(readPngChunks(withCard), 'chara')).toBe(payload);
    expect(decodeCard(withCard)).toMatchObject({ format: 'v1-png', card: { name: 'Old Tom' } });
  });
});
