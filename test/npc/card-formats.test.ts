import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArtError } from '../../electron/host/npc/card-art';
import {
  CardExportError,
  CardImportError,
  decodeCard,
  encodeCardJson,
  encodeCardPng,
  encodeCardV2,
  encodeCardV3,
} from '../../electron/host/npc/card-codec';
import { exportFileName } from '../../electron/host/npc/export-file-name';
import { memoryLogger } from '../../electron/host/log/logger';
import { NpcStore } from '../../electron/host/npc/npc-store';
import { findText, readPngChunks, textChunk, withTextChunks, writePngChunks } from '../../electron/host/npc/png-chunks';
import { contract } from '../../shared/contract';
import { toHostError } from '../../electron/host/ipc/handlers/domain-errors';
import { npcHandlers } from '../../electron/host/ipc/handlers/npc-handlers';
import type { StudioServices } from '../../electron/host/ipc/handlers/services';
import type { CallContext } from '../../electron/host/ipc/router';
import { CARD_LIMITS, cardJsonChars, npcDraftSchema } from '../../shared/npc';
import { tempDir } from '../support/temp-dir';
import { fullCardV3, sillyTavernCardV2 } from './card-fixtures';
import { jpegHeader, pixelsOf, pngImage } from './card-test-images';

const studio = { processor: 'local' as const, model: 'llama3.2', sampling: {} };
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o), 'utf8').toString('base64');
const withCardChunks = (image: Buffer, texts: Record<string, string>) => writePngChunks(withTextChunks(readPngChunks(image), texts));

function importError(input: Parameters<typeof decodeCard>[0]): CardImportError {
  try {
    decodeCard(input);
  } catch (err) {
    expect(err).toBeInstanceOf(CardImportError);
    return err as CardImportError;
  }
  throw new Error('the card was accepted');
}

describe('community cards', () => {
  it('a SillyTavern V2 export comes back as the same file, V1 fields and top-level bookkeeping included', () => {
    const source = sillyTavernCardV2();
    const decoded = decodeCard(JSON.stringify(source));
    expect(decoded.format).toBe('v2-json');
    expect(decoded.card).toEqual(source.data);
    expect(decoded.extra).toEqual({
      avatar: 'none',
      chat: source.chat,
      creatorcomment: source.creatorcomment,
      tags: source.tags,
      talkativeness: '0.6',
      fav: true,
      create_date: source.create_date,
    });
    const exported = JSON.parse(encodeCardJson({ ...decoded, studio, cardExtra: decoded.extra }));
    expect(exported).toEqual({ ...source, data: { ...source.data, extensions: { ...source.data.extensions, npc_studio: studio } } });
    // Decorators are content: kept verbatim.
    expect(exported.data.character_book.entries[1].content).toBe(source.data.character_book.entries[1]!.content);
  });

  it('V2 export writes the six V1 fields from the current card beside spec/data', () => {
    const decoded = decodeCard(fullCardV3());
    const v2 = encodeCardV2({ card: { ...decoded.card, description: 'Edited.' }, studio });
    expect(Object.keys(v2).slice(0, 6)).toEqual(['name', 'description', 'personality', 'scenario', 'first_mes', 'mes_example']);
    expect(v2).toMatchObject({ name: 'Captain Ilse Varga', description: 'Edited.', spec: 'chara_card_v2', spec_version: '2.0' });
    expect(v2.personality).toBe(decoded.card.personality);
  });

  it('a V3 card keeps every V3 field and exports back identical (plus the studio settings extension)', () => {
    const source = fullCardV3();
    const decoded = decodeCard(JSON.stringify(source));
    expect(decoded.format).toBe('v3-json');
    expect(decoded.card).toEqual(source.data);
    expect(encodeCardV3({ ...decoded, studio })).toEqual({
      ...source,
      data: { ...source.data, extensions: { ...source.data.extensions, npc_studio: studio } },
    });
  });
});

describe('PNG cards', () => {
  it('reads ccv3 over chara when both are there, and chara alone', () => {
    const v2 = { spec: 'chara_card_v2', spec_version: '2.0', data: { name: 'From chara' } };
    const v3 = { spec: 'chara_card_v3', spec_version: '3.0', data: { name: 'From ccv3', group_only_greetings: [] } };
    const both = withCardChunks(pngImage(3, 2), { chara: b64(v2), ccv3: b64(v3) });
    expect(decodeCard(both)).toMatchObject({ format: 'v3-png', card: { name: 'From ccv3' } });
    const charaOnly = withCardChunks(pngImage(3, 2), { chara: b64(v2) });
    expect(decodeCard(charaOnly)).toMatchObject({ format: 'v2-png', card: { name: 'From chara' } });
  });

  it('keeps the PNG itself, without its card chunks, as the art', () => {
    const image = pngImage(5, 4);
    const decoded = decodeCard(withCardChunks(image, { chara: b64({ name: 'Old' }), Author: 'someone' }));
    expect(pixelsOf(decoded.art!)).toEqual(pixelsOf(image));
    expect(findText(readPngChunks(decoded.art!), 'chara')).toBeUndefined();
    expect(findText(readPngChunks(decoded.art!), 'Author')).toBe('someone');
  });

  it('refuses a giant tEXt chunk and a PNG without a card, naming the chunk', () => {
    const giant = writePngChunks(
      withTextChunks(readPngChunks(pngImage(2, 2)), {}).toSpliced(1, 0, textChunk('chara', 'A'.repeat(18_000_000))),
    );
    const err = importError(giant);
    expect(err.fieldPath).toBe('chara');
    expect(err.message).toMatch(/"chara" chunk is 18,000,000 characters, at most/);
    expect(importError(pngImage(2, 2)).message).toMatch(/no "chara" or "ccv3" tEXt chunk/);
    expect(importError(withCardChunks(pngImage(2, 2), { ccv3: 'not base64!' })).message).toMatch(/"ccv3" chunk is not base64/);
  });

  it('needs PNG art to make a PNG card, and says what to do instead', () => {
    expect(() => encodeCardPng({ card: decodeCard(fullCardV3()).card, studio }, jpegHeader(10, 10))).toThrow(CardExportError);
  });
});

describe('one set of limits for import, save and IPC', () => {
  const base = () => sillyTavernCardV2();

  it('refuses at import what save would refuse, with the field path and the limit', () => {
    const longName = base();
    longName.data.name = 'N'.repeat(5000);
    expect(importError(longName)).toMatchObject({ fieldPath: 'data.name' });
    expect(importError(longName).message).toMatch(/at most 200 characters/);

    const deep = base();
    deep.data.character_book.scan_depth = 5000;
    expect(importError(deep)).toMatchObject({ fieldPath: 'data.character_book.scan_depth' });
    expect(importError(deep).message).toMatch(/scan depth may be at most 1,000 messages/);

    const huge = base();
    huge.data.description = 'x'.repeat(CARD_LIMITS.cardJson);
    expect(importError(huge)).toMatchObject({ fieldPath: 'data' });
    expect(importError(huge).message).toMatch(/at most 2,000,000; shorten its texts or its lorebook/);
  });

  it('a 1.5 MB description and an empty key import, save unchanged, export and import again', async () => {
    const dir = await tempDir();
    const store = new NpcStore({ dir: join(dir.path, 'npcs'), logger: memoryLogger().logger });
    await store.initialize();
    try {
      const source = base();
      source.data.description = 'The long tale of the Kestrel. '.repeat(50_000); // 1.5 MB
      source.data.character_book.entries[2]!.keys = [''];
      const { npc } = await store.importCard(JSON.stringify(source));
      expect(npc.card).toEqual(source.data);
      const saved = await store.save({ id: npc.id, card: npc.card, studio: npc.studio });
      expect(saved.card).toEqual(source.data);
      expect(contract['npc.save'].input.safeParse({ id: npc.id, card: npc.card, studio: npc.studio }).success).toBe(true);

      const exported = (await store.exportCard(npc.id, 'json')).bytes.toString('utf8');
      expect(exported.length).toBeGreaterThan(3_000_000); // V1 fields repeat the description
      expect(contract['npc.importCard'].input.safeParse({ format: 'json', text: exported }).success).toBe(true);
      expect((await store.importCard(exported)).npc.card).toEqual(source.data);
      const png = (await store.exportCard(npc.id, 'png')).bytes;
      expect(contract['npc.importCard'].input.safeParse({ format: 'png', base64: png.toString('base64') }).success).toBe(true);
      expect((await store.importCard(png)).npc.card).toEqual(source.data);
    } finally {
      await store.cleanup();
      await dir.remove();
    }
  });

  it('whatever import accepts, the save schema accepts unchanged (cards at and around every limit)', () => {
    const { extra } = decodeCard(base());
    const room = CARD_LIMITS.cardJson - cardJsonChars(decodeCard({ ...base(), data: { ...base().data, description: '' } }).card, extra);
    const sizes = [0, 1, -1];
    for (const d of sizes) {
      const variants = [
        (c: ReturnType<typeof base>) => (c.data.name = 'n'.repeat(CARD_LIMITS.name + d)),
        (c: ReturnType<typeof base>) => (c.data.character_book.scan_depth = CARD_LIMITS.scanDepth + d),
        (c: ReturnType<typeof base>) => (c.data.character_book.token_budget = CARD_LIMITS.tokenBudget + d),
        (c: ReturnType<typeof base>) => (c.data.character_book.entries[0]!.keys = ['k'.repeat(CARD_LIMITS.keyLength + d)]),
        (c: ReturnType<typeof base>) => (c.data.character_book.entries[0]!.content = 'c'.repeat(CARD_LIMITS.entryContent + d)),
        (c: ReturnType<typeof base>) => (c.data.description = 'd'.repeat(room + d)),
      ];
      for (const [i, change] of variants.entries()) {
        const card = base();
        change(card);
        let imported: ReturnType<typeof decodeCard> | null = null;
        try {
          imported = decodeCard(JSON.stringify(card));
        } catch (err) {
          expect(err).toBeInstanceOf(CardImportError);
        }
        const draft = npcDraftSchema.safeParse({ card: card.data, cardExtra: extra });
        expect(draft.success, `variant ${i}, ${d}`).toBe(imported !== null);
        if (imported && draft.success) expect(draft.data.card).toEqual(imported.card);
      }
    }
  });

  it('IPC takes the same file limits', () => {
    const art = contract['npc.setArt'].input;
    expect(art.safeParse({ id: 'a', base64: 'A'.repeat(Math.ceil(CARD_LIMITS.artBytes / 3) * 4) }).success).toBe(true);
    expect(art.safeParse({ id: 'a', base64: 'A'.repeat(Math.ceil(CARD_LIMITS.artBytes / 3) * 4 + 4) }).error?.issues[0]?.message).toMatch(
      /at most 10\.0 MB/,
    );
    expect(contract['npc.importCard'].input.safeParse({ format: 'charx', base64: 'UEsDBA==' }).success).toBe(true);
    expect(contract['npc.exportCard'].input.safeParse({ id: 'a', format: 'charx' }).success).toBe(true);
  });
});

describe('card art', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let store: NpcStore;

  beforeEach(async () => {
    dir = await tempDir();
    store = new NpcStore({ dir: join(dir.path, 'npcs'), logger: memoryLogger().logger });
    await store.initialize();
  });

  afterEach(async () => {
    await store.cleanup();
    await dir.remove();
  });

  it('PNG export embeds the card into the NPC art with its pixels unchanged (400×600)', async () => {
    const { npc } = await store.importCard(JSON.stringify(sillyTavernCardV2()));
    const art = pngImage(400, 600);
    expect(await store.setArt(npc.id, art)).toMatchObject({ ext: 'png', mime: 'image/png', width: 400, height: 600 });
    const exported = await store.exportCard(npc.id, 'png');
    expect(exported.fileName).toBe('Captain Ilse Varga.png');
    expect(pixelsOf(exported.bytes)).toEqual(pixelsOf(art));
    expect(
      readPngChunks(exported.bytes)
        .map((c) => c.type)
        .filter((t) => t !== 'tEXt'),
    ).toEqual(readPngChunks(art).map((c) => c.type));

    const again = await store.importCard(exported.bytes);
    expect(again.npc.card).toEqual(sillyTavernCardV2().data);
    expect(pixelsOf((await store.getArt(again.npc.id))!.bytes)).toEqual(pixelsOf(art));
  });

  it('npc.setArt / npc.getArt / npc.exportCard over IPC: base64 in and out, a bad image a ValidationError', async () => {
    const handlers = npcHandlers({ npcs: store } as unknown as StudioServices);
    const ctx = {} as CallContext;
    const npc = await store.save({ card: { name: 'Wire/Test' } });
    expect(await handlers['npc.getArt']({ id: npc.id }, ctx)).toBeNull();
    const art = pngImage(30, 20);
    expect(await handlers['npc.setArt']({ id: npc.id, base64: art.toString('base64') }, ctx)).toEqual({
      mime: 'image/png',
      width: 30,
      height: 20,
      bytes: art.length,
    });
    expect(await handlers['npc.getArt']({ id: npc.id }, ctx)).toMatchObject({ mime: 'image/png', base64: art.toString('base64') });
    const png = await handlers['npc.exportCard']({ id: npc.id, format: 'png' }, ctx);
    expect(png).toMatchObject({ fileName: 'Wire Test.png', mime: 'image/png', encoding: 'base64' });
    expect(pixelsOf(Buffer.from(png.data, 'base64'))).toEqual(pixelsOf(art));
    expect(await handlers['npc.exportCard']({ id: npc.id, format: 'json-v3' }, ctx)).toMatchObject({
      fileName: 'Wire Test.v3.json',
      encoding: 'utf8',
    });
    const refused = await handlers['npc.setArt']({ id: npc.id, base64: Buffer.from('GIF89a').toString('base64') }, ctx).catch(toHostError);
    expect(refused).toMatchObject({ code: 'ValidationError' });
  });

  it('uses a 64×64 placeholder only when the NPC has no art', async () => {
    const npc = await store.save({ card: { name: 'Plain' } });
    expect(await store.getArt(npc.id)).toBeNull();
    const { width, height } = pixelsOf((await store.exportCard(npc.id, 'png')).bytes);
    expect([width, height]).toEqual([64, 64]);
  });

  it('takes PNG, JPEG and WebP by their bytes, refuses others with the reason, replaces atomically, deletes with the NPC', async () => {
    const npc = await store.save({ card: { name: 'Arty' } });
    await expect(store.setArt(npc.id, Buffer.from('GIF89a\x01\x00\x01\x00'))).rejects.toThrow(/not a PNG, JPEG or WebP image/);
    const wide = Buffer.from(pngImage(1, 1));
    wide.writeUInt32BE(9000, 16); // IHDR width
    await expect(store.setArt(npc.id, wide)).rejects.toThrow(/9000×1 pixels, at most 8192×8192/);
    await expect(store.setArt(npc.id, Buffer.concat([pngImage(1, 1), Buffer.alloc(CARD_LIMITS.artBytes)]))).rejects.toThrow(ArtError);

    await store.setArt(npc.id, pngImage(8, 8));
    expect(await store.setArt(npc.id, jpegHeader(640, 480))).toMatchObject({ ext: 'jpg', mime: 'image/jpeg', width: 640, height: 480 });
    expect(await readdir(join(store.dir, `${npc.id}.assets`))).toEqual(['art.jpg']);
    await expect(store.exportCard(npc.id, 'png')).rejects.toThrow(/art is not a PNG image.*export as CHARX/);

    await store.delete(npc.id);
    expect(await readdir(store.dir)).toEqual([]);
  });
});

describe('export file names', () => {
  it('are sanitized and bounded', () => {
    expect(exportFileName('Mira Ashfield', 'id-1', 'png')).toBe('Mira Ashfield.png');
    const long = exportFileName('N'.repeat(5000), 'id-1', 'json');
    expect(long).toBe(`${'N'.repeat(CARD_LIMITS.exportBaseName)}.json`);
    expect(exportFileName('../../etc/passwd', 'id-1', 'json')).toBe('etc passwd.json');
    expect(exportFileName('a\\b:c*d?"e<f>g|h\u0000i\u001fj', 'id-1', 'json')).toBe('a b c d e f g h i j.json');
    expect(exportFileName('CON', 'id-1', 'json')).toBe('_CON.json');
    expect(exportFileName('lpt1.txt', 'id-1', 'png')).toBe('_lpt1.txt.png');
    expect(exportFileName(' .. ', 'id-1', 'json')).toBe('id-1.json');
    expect(exportFileName('trailing dot.', 'id-1', 'json')).toBe('trailing dot.json');
    const emoji = exportFileName('😀'.repeat(100), 'id-1', 'png');
    expect([...emoji.slice(0, -4)]).toHaveLength(CARD_LIMITS.exportBaseName); // cut between characters
    expect(emoji).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/); // no half character
  });
});

describe('a card that refers to itself', () => {
  it('is refused as a validation issue, not a crash (an IPC structured clone can carry one)', () => {
    const extensions: Record<string, unknown> = {};
    extensions.self = extensions;
    const parsed = npcDraftSchema.safeParse({ card: { name: 'Loop', extensions } });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.message).toMatch(/refers to itself/);
  });
});
