import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { CardImportError, decodeCardFile } from '../../electron/host/npc/card-codec';
import { CharxError, readCharx, safeEntryPath } from '../../electron/host/npc/charx';
import { memoryLogger } from '../../electron/host/log/logger';
import { NpcStore } from '../../electron/host/npc/npc-store';
import { CARD_LIMITS } from '../../shared/npc';
import { tempDir } from '../support/temp-dir';
import { fullCardV3 } from './card-fixtures';
import { pixelsOf, pngImage } from './card-test-images';

/** A zip of these entries (yazl; deflated), with optional per-entry mode (e.g. a symlink). */
async function zipOf(entries: [string, Buffer | string, number?][]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [path, data, mode] of entries) zip.addBuffer(Buffer.from(data), path, { compress: true, ...(mode ? { mode } : {}) });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

/** Replaces every occurrence of `from` with `to` (same length), e.g. to forge a name after yazl checked it. */
function patched(zip: Buffer, from: string, to: string): Buffer {
  expect(from.length).toBe(to.length);
  const out = Buffer.from(zip);
  let at = out.indexOf(from);
  expect(at).toBeGreaterThan(-1);
  while (at !== -1) {
    out.write(to, at, 'latin1');
    at = out.indexOf(from, at + 1);
  }
  return out;
}

/** Sets the declared uncompressed size of every entry (local header and central directory) to `size`. */
function lyingSizes(zip: Buffer, size: number): Buffer {
  const out = Buffer.from(zip);
  for (let i = 0; i + 4 <= out.length; i++) {
    const sig = out.readUInt32LE(i);
    if (sig === 0x04034b50) out.writeUInt32LE(size, i + 22);
    if (sig === 0x02014b50) out.writeUInt32LE(size, i + 24);
  }
  return out;
}

const card = JSON.stringify(fullCardV3());
const MiB = 1024 * 1024;

let dir: { path: string; remove: () => Promise<void> };
let store: NpcStore;

beforeEach(async () => {
  dir = await tempDir();
  store = new NpcStore({ dir: join(dir.path, 'data', 'npcs'), logger: memoryLogger().logger });
  await store.initialize();
});

afterEach(async () => {
  await store.cleanup();
  await dir.remove();
});

async function allFiles(root: string): Promise<string[]> {
  return (await readdir(root, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

describe('CHARX', () => {
  it('imports card.json with its icon as the art and keeps every other file; export gives them back', async () => {
    const icon = pngImage(300, 450);
    const entries: [string, Buffer | string][] = [
      ['card.json', card],
      ['assets/icon/images/main.png', icon],
      ['assets/emotion/images/happy.webp', Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 fake emotion', 'latin1')],
      ['assets/other/audio/wind.mp3', Buffer.from([0x49, 0x44, 0x33, 1, 2, 3])],
      ['module.risum', Buffer.from([0, 1, 2, 3, 255])],
      ['x_meta/notes.txt', 'kept though unknown'],
    ];
    const { npc, format, warnings } = await store.importCard(await zipOf(entries));
    expect(format).toBe('v3-charx');
    expect(npc.card).toEqual(fullCardV3().data);
    expect(warnings).toEqual(['kept x_meta/notes.txt, which is outside assets/']);
    const art = await store.getArt(npc.id);
    expect(art?.info).toMatchObject({ ext: 'png', width: 300, height: 450 });
    expect(Buffer.compare(art!.bytes, icon)).toBe(0);

    const exported = await store.exportCard(npc.id, 'charx');
    expect(exported).toMatchObject({ fileName: 'Captain Ilse Varga.charx', mime: 'application/zip' });
    const files = await readCharx(exported.bytes);
    expect([...files.keys()].sort()).toEqual(entries.map(([p]) => p).sort());
    for (const [path, data] of entries.slice(1)) expect(files.get(path)).toEqual(Buffer.from(data));
    const back = JSON.parse(files.get('card.json')!.toString('utf8'));
    expect(back.data).toEqual({ ...fullCardV3().data, extensions: { ...fullCardV3().data.extensions, npc_studio: npc.studio } });

    // The PNG export of the same NPC is the icon's picture, pixel for pixel.
    const png = await store.exportCard(npc.id, 'png');
    expect(pixelsOf(png.bytes)).toEqual(pixelsOf(icon));
  });

  it('adds the art as the main icon asset of a card that has none', async () => {
    const { npc } = await store.importCard(JSON.stringify({ spec: 'chara_card_v3', spec_version: '3.0', data: { name: 'Iconless' } }));
    await store.setArt(npc.id, pngImage(40, 20));
    const files = await readCharx((await store.exportCard(npc.id, 'charx')).bytes);
    const data = JSON.parse(files.get('card.json')!.toString('utf8')).data;
    expect(data.assets).toEqual([{ type: 'icon', uri: 'embeded://assets/icon/images/main.png', name: 'main', ext: 'png' }]);
    expect(pixelsOf(files.get('assets/icon/images/main.png')!)).toEqual(pixelsOf(pngImage(40, 20)));
    const again = await store.importCard((await store.exportCard(npc.id, 'charx')).bytes);
    expect(pixelsOf((await store.getArt(again.npc.id))!.bytes)).toEqual(pixelsOf(pngImage(40, 20)));
  });

  it('refuses bad files with typed errors, and writes nothing anywhere', async () => {
    const good = await zipOf([['card.json', card]]);
    const bomb = await zipOf([
      ['card.json', card],
      ['assets/other/other/zeros.bin', Buffer.alloc(30 * MiB)],
    ]);
    expect(bomb.length).toBeLessThan(200 * 1024); // 30 MiB of zeros deflates to ~30 KB
    const cases: [string, Buffer, RegExp][] = [
      ['truncated', good.subarray(0, good.length - 30), /not a readable zip file.*cut off or damaged/],
      [
        'oversized',
        Buffer.concat([good.subarray(0, 4), Buffer.alloc(CARD_LIMITS.cardFileBytes)]),
        /the file is 20,971,524 bytes, at most 20,971,520/,
      ],
      ['declared bomb', bomb, /zeros\.bin: it inflates to 30\.0 MB, at most 20\.0 MB an entry/],
      ['lying bomb', lyingSizes(bomb, 1000), /past its declared size.*decompression bomb|decompression bomb/],
      [
        '../ path',
        patched(
          await zipOf([
            ['card.json', card],
            ['xx/evil.txt', 'pwned'],
          ]),
          'xx/evil.txt',
          '../evil.txt',
        ),
        /unsafe path refused.*\.\.\/evil\.txt/,
      ],
      [
        'absolute path',
        patched(
          await zipOf([
            ['card.json', card],
            ['xetc/evil', 'pwned'],
          ]),
          'xetc/evil',
          '/etc/evil',
        ),
        /unsafe path refused.*absolute path/,
      ],
      [
        'symlink',
        await zipOf([
          ['card.json', card],
          ['assets/link', '/etc/passwd', 0o120777],
        ]),
        /assets\/link: symbolic links are refused/,
      ],
      ['no card.json', await zipOf([['assets/a.png', pngImage(2, 2)]]), /card\.json: the CHARX has no card\.json/],
      [
        'bad card.json',
        await zipOf([['card.json', '{"spec":"chara_card_v3","spec_version":"3.0","data":{"name":""}}']]),
        /data\.name: must not be empty/,
      ],
    ];
    const before = await allFiles(dir.path);
    for (const [label, bytes, message] of cases) {
      const err = await store.importCard(bytes).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, label).toBeInstanceOf(CardImportError);
      expect((err as Error).message, label).toMatch(message);
    }
    expect(await allFiles(dir.path)).toEqual(before);
    expect(store.list()).toEqual([]);
  });

  it('bounds what is inflated: entry count, each entry and the total, before and while inflating', async () => {
    const three = await zipOf([
      ['a', 'x'.repeat(600)],
      ['b', 'y'.repeat(600)],
      ['c', 'z'.repeat(600)],
    ]);
    await expect(readCharx(three, { entries: 2, entryBytes: 1000, totalBytes: 5000 })).rejects.toThrow(/3 entries, at most 2/);
    await expect(readCharx(three, { entries: 10, entryBytes: 500, totalBytes: 5000 })).rejects.toThrow(
      /a: it inflates to 600 bytes, at most 500 bytes an entry/,
    );
    await expect(readCharx(three, { entries: 10, entryBytes: 1000, totalBytes: 1500 })).rejects.toThrow(
      /c: the entries inflate to more than/,
    );
    await expect(readCharx(lyingSizes(three, 100), { entries: 10, entryBytes: 1000, totalBytes: 5000 })).rejects.toBeInstanceOf(CharxError);
    expect([...(await readCharx(three, { entries: 3, entryBytes: 600, totalBytes: 1800 })).keys()]).toEqual(['a', 'b', 'c']);
  });

  it('knows a safe entry path', () => {
    for (const ok of ['card.json', 'assets/icon/images/main.png', 'module.risum']) expect(safeEntryPath(ok), ok).toBe(true);
    for (const bad of ['../x', 'a/../../x', '/etc/passwd', 'C:/x', 'a\\b', 'a//b', './a', 'a/./b', '', 'a\u0000b'])
      expect(safeEntryPath(bad), bad).toBe(false);
  });

  it('reads a CHARX through decodeCardFile without a store', async () => {
    const decoded = await decodeCardFile(await zipOf([['card.json', card]]));
    expect(decoded.card.nickname).toBe('Cap');
    expect(decoded.warnings).toEqual(['the icon embeded://assets/icon/images/main.png is not in the CHARX']);
  });
});
