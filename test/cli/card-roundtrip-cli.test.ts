/*
 * A community card through the real CLI, as an asset pipeline would use it: `import` a RisuAI-style V3 CHARX
 * (non-square icon, other assets) and a SillyTavern V2 PNG into one data folder, `npc export` each as PNG,
 * CHARX and V2 JSON, check the files (every card field, the V1 fields, the art), then `import` the exported
 * files into a second data folder and check that every card field, top-level field and the art came back.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../electron/host/log/logger';
import { NpcStore } from '../../electron/host/npc/npc-store';
import {
  cardInPng,
  communityCharx,
  ICON_PATH,
  pixelsOf,
  sillyTavernPng,
  topLevelExtra,
  V1_FIELDS,
  withoutStudio,
  zipEntries,
  type CommunityCharx,
  type CommunityPng,
} from '../support/community-cards';
import { runCli } from '../support/run-process';
import { tempDir } from '../support/temp-dir';

interface ImportLine {
  file: string;
  kind: string;
  id: string | null;
  name: string | null;
  problems: string[];
}

const FORMATS = ['png', 'charx', 'json'] as const;
type Format = (typeof FORMATS)[number];

let dir: Awaited<ReturnType<typeof tempDir>>;
let first: string;
let second: string;
let charx: CommunityCharx;
let png: CommunityPng;
/** The NPC ids in the first data folder, by source. */
const ids: { charx?: string; png?: string } = {};
/** The exported files, by source and format. */
const exported: Record<'charx' | 'png', Partial<Record<Format, string>>> = { charx: {}, png: {} };

async function importJson(dataDir: string, ...files: string[]): Promise<ImportLine[]> {
  const r = await runCli('import', ...files, '--json', '--data-dir', dataDir);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as ImportLine);
}

/** Reads the NPCs of a data folder once the CLI has exited (the store is the app's own). */
async function withStore<T>(dataDir: string, use: (store: NpcStore) => Promise<T>): Promise<T> {
  const store = new NpcStore({ dir: join(dataDir, 'npcs'), logger: memoryLogger('warn').logger });
  await store.initialize();
  try {
    return await use(store);
  } finally {
    await store.cleanup();
  }
}

beforeAll(async () => {
  dir = await tempDir('npc-card-cli-');
  first = join(dir.path, 'first');
  second = join(dir.path, 'second');
  charx = await communityCharx();
  png = sillyTavernPng();
  await writeFile(join(dir.path, 'ilse-risu.charx'), charx.bytes);
  await writeFile(join(dir.path, 'ilse-st.png'), png.bytes);
});

afterAll(async () => {
  await dir?.remove();
});

describe('npm run cli: a community card round trip', () => {
  it('imports the CHARX and the PNG card, each with its art', async () => {
    const [fromCharx, fromPng] = await importJson(first, join(dir.path, 'ilse-risu.charx'), join(dir.path, 'ilse-st.png'));
    expect(fromCharx).toMatchObject({ kind: 'npc', name: charx.card.data.name });
    expect(fromPng).toMatchObject({ kind: 'npc', name: png.card.data.name });
    ids.charx = fromCharx!.id!;
    ids.png = fromPng!.id!;
    await withStore(first, async (store) => {
      expect((await store.getArt(ids.charx!))!.bytes.equals(charx.icon)).toBe(true);
      expect(pixelsOf((await store.getArt(ids.png!))!.bytes)).toEqual(pixelsOf(png.art));
    });
  }, 60_000);

  it('exports each as PNG, CHARX and V2 JSON with every card field, the V1 fields and the art', async () => {
    for (const source of ['charx', 'png'] as const) {
      for (const format of FORMATS) {
        const out = join(dir.path, `out-${source}.${format}`);
        const r = await runCli('npc', 'export', ids[source]!, '--format', format, '--out', out, '--data-dir', first);
        expect(r, `${source} → ${format}`).toMatchObject({ code: 0, stderr: '' });
        exported[source][format] = out;
      }
    }

    // The V3 CHARX card: its data whole in every file; the icon's bytes in the CHARX, its pixels in the PNG.
    const risuData = charx.card.data;
    const charxPng = await readFile(exported.charx.png!);
    expect(withoutStudio(cardInPng(charxPng, 'ccv3').data)).toEqual(risuData);
    expect(withoutStudio(cardInPng(charxPng, 'chara').data)).toEqual(risuData);
    expect(pixelsOf(charxPng)).toEqual(pixelsOf(charx.icon));
    const charxZip = await zipEntries(await readFile(exported.charx.charx!));
    expect(charxZip.get(ICON_PATH)!.equals(charx.icon)).toBe(true);
    for (const [path, bytes] of charx.assets) expect(charxZip.get(path)!.equals(bytes), path).toBe(true);
    const charxCard = JSON.parse(charxZip.get('card.json')!.toString('utf8')) as { spec: string; data: unknown };
    expect(charxCard.spec).toBe('chara_card_v3');
    expect(withoutStudio(charxCard.data)).toEqual(risuData);
    const charxJson = JSON.parse(await readFile(exported.charx.json!, 'utf8')) as Record<string, unknown>;
    expect(charxJson.spec).toBe('chara_card_v2');
    expect(withoutStudio(charxJson.data)).toEqual(risuData);
    for (const field of V1_FIELDS) expect(charxJson[field], field).toBe(risuData[field]);

    // The SillyTavern V2 card: the whole file (V1 fields and SillyTavern's own top-level keys) in the V2 JSON
    // and in the PNG's chara chunk. V3 files have no V1 copies beside data and add only what V3 requires
    // (group_only_greetings, and in a CHARX the icon asset that carries the art).
    const { data: stData, ...stTop } = png.card;
    const stJson = JSON.parse(await readFile(exported.png.json!, 'utf8')) as Record<string, unknown>;
    expect({ ...stJson, data: withoutStudio(stJson.data) }).toEqual(png.card);
    const stPng = await readFile(exported.png.png!);
    const chara = cardInPng(stPng, 'chara');
    expect({ ...chara, data: withoutStudio(chara.data) }).toEqual(png.card);
    const ccv3 = cardInPng(stPng, 'ccv3');
    expect({ ...ccv3, data: withoutStudio(ccv3.data) }).toEqual({
      ...topLevelExtra(stTop),
      spec: 'chara_card_v3',
      spec_version: '3.0',
      data: { ...stData, group_only_greetings: [] },
    });
    expect(pixelsOf(stPng)).toEqual(pixelsOf(png.art));
    const stZip = await zipEntries(await readFile(exported.png.charx!));
    const stCharxCard = JSON.parse(stZip.get('card.json')!.toString('utf8')) as { data: unknown };
    expect(withoutStudio(stCharxCard.data)).toEqual({
      ...stData,
      group_only_greetings: [],
      assets: [{ type: 'icon', uri: `embeded://${ICON_PATH}`, name: 'main', ext: 'png' }],
    });
    expect(pixelsOf(stZip.get(ICON_PATH)!)).toEqual(pixelsOf(png.art));
  }, 120_000);

  it('imports every exported file into a second data folder: card, top-level fields and art as they were', async () => {
    const files = (['charx', 'png'] as const).flatMap((source) => FORMATS.map((format) => exported[source][format]!));
    const lines = await importJson(second, ...files);
    expect(lines.map((l) => l.kind)).toEqual(Array(6).fill('npc'));
    const back = (source: 'charx' | 'png', format: Format) => lines[(source === 'charx' ? 0 : 3) + FORMATS.indexOf(format)]!.id!;
    await withStore(second, async (store) => {
      for (const format of FORMATS) {
        const risu = store.get(back('charx', format));
        expect(risu.card, `CHARX → ${format}`).toEqual(charx.card.data);
        expect(risu.cardExtra, `CHARX → ${format}`).toBeUndefined();
        const st = store.get(back('png', format));
        const { data: stData, ...stTop } = png.card;
        const stAssets = format === 'charx' ? { assets: [{ type: 'icon', uri: `embeded://${ICON_PATH}`, name: 'main', ext: 'png' }] } : {};
        expect(st.card, `PNG → ${format}`).toEqual({ ...stData, ...stAssets });
        // The V1 copies are written from data on export; SillyTavern's other top-level keys are kept as they were.
        expect(st.cardExtra, `PNG → ${format}`).toEqual(topLevelExtra(stTop));
      }
      expect((await store.getArt(back('charx', 'charx')))!.bytes.equals(charx.icon)).toBe(true);
      expect(pixelsOf((await store.getArt(back('charx', 'png')))!.bytes)).toEqual(pixelsOf(charx.icon));
      expect(pixelsOf((await store.getArt(back('png', 'png')))!.bytes)).toEqual(pixelsOf(png.art));
      expect(pixelsOf((await store.getArt(back('png', 'charx')))!.bytes)).toEqual(pixelsOf(png.art));
      // A JSON card carries no picture.
      expect(await store.getArt(back('png', 'json'))).toBeNull();
      // The CHARX's other assets were kept by the second import too.
      const again = await zipEntries((await store.exportCard(back('charx', 'charx'), 'charx')).bytes);
      for (const [path, bytes] of charx.assets) expect(again.get(path)!.equals(bytes), path).toBe(true);
    });
  }, 120_000);
});
