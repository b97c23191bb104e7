import { readFileSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lorebookToV3, worldInfoToLorebook } from '../../shared/lorebook-convert';
import { worldInfoFileSchema } from '../../shared/lorebook';
import { memoryLogger } from '../../electron/host/log/logger';
import { LorebookImportError } from '../../electron/host/lore/lorebook-file';
import {
  LorebookFileConflictError,
  LorebookNotFoundError,
  LorebookStore,
  LorebookValidationError,
} from '../../electron/host/lore/lorebook-store';
import { openFilePaths } from '../../electron/host/resources/proc';
import { tempDir } from '../support/temp-dir';

const HARBOR_TEXT = readFileSync(new URL('./fixtures/harbor-world-info.json', import.meta.url), 'utf8');

let dir: { path: string; remove: () => Promise<void> };
let store: LorebookStore;

async function openStore(): Promise<LorebookStore> {
  const s = new LorebookStore({ dir: join(dir.path, 'lorebooks'), logger: memoryLogger().logger });
  await s.initialize();
  return s;
}

beforeEach(async () => {
  dir = await tempDir('npc-lorebooks-');
  store = await openStore();
});
afterEach(async () => {
  await store.cleanup();
  await dir.remove();
});

describe('LorebookStore', () => {
  it('imports a World Info file, keeps it across a restart, and exports the same file (st) and a lorebook_v3 of it', async () => {
    const record = await store.import('Harbor of Varn.json', HARBOR_TEXT);
    expect(record).toMatchObject({ name: 'Harbor of Varn', source: 'world_info', version: 1 });
    expect(record.id).toMatch(/^harbor-of-varn-[0-9a-f]{6}$/);
    await store.cleanup();
    store = await openStore();
    expect(store.get(record.id)).toEqual(record);

    const st = store.export(record.id, 'st');
    expect(st.fileName).toBe('Harbor of Varn.json');
    expect(JSON.parse(st.text)).toEqual(JSON.parse(HARBOR_TEXT));

    const v3 = store.export(record.id, 'v3');
    expect(v3.fileName).toBe('Harbor of Varn.lorebook.json');
    const book = worldInfoToLorebook(worldInfoFileSchema.parse(JSON.parse(HARBOR_TEXT)));
    expect(JSON.parse(v3.text)).toEqual(JSON.parse(JSON.stringify(lorebookToV3(book))));
    // …and the V3 file imports back to the same book, and exports to the same V3 file.
    const again = await store.import(v3.fileName, v3.text);
    expect(again.source).toBe('lorebook_v3');
    expect(JSON.parse(store.export(again.id, 'v3').text)).toEqual(JSON.parse(v3.text));
    // A V3 file has no World Info record keys: the entries come back keyed by uid, each entry the same.
    const values = (text: string) => Object.values((JSON.parse(text) as { entries: object }).entries);
    expect(values(store.export(again.id, 'st').text)).toEqual(expect.arrayContaining(values(HARBOR_TEXT)));
  });

  it('keeps a damaged file as it is, reports it with the field path, and refuses to overwrite or delete it', async () => {
    const good = await store.import('good.json', HARBOR_TEXT);
    await writeFile(join(store.dir, 'broken-json.json'), '{ not json');
    const record = { ...good, id: 'bad-field', book: { entries: [{ keys: ['x'], scanDepth: 5000 }] } };
    const badText = JSON.stringify(record);
    await writeFile(join(store.dir, 'bad-field.json'), badText);
    await store.cleanup();
    store = await openStore();

    expect(store.list().map((r) => r.id)).toEqual([good.id]);
    const problems = Object.fromEntries(store.problems().map((p) => [p.id, p]));
    expect(problems['broken-json']!.reason).toMatch(/not valid JSON/);
    expect(problems['bad-field']).toMatchObject({
      fieldPath: 'book.entries[0].scanDepth',
      reason: 'scan depth may be at most 1000 messages',
    });
    expect((await store.healthCheck()).status).toBe('degraded');

    await expect(store.save({ id: 'bad-field', name: 'Mine now', book: { entries: [] } })).rejects.toBeInstanceOf(
      LorebookFileConflictError,
    );
    await expect(store.delete('bad-field')).rejects.toBeInstanceOf(LorebookFileConflictError);
    expect(await readFile(join(store.dir, 'bad-field.json'), 'utf8')).toBe(badText);
    expect(await readFile(join(store.dir, 'broken-json.json'), 'utf8')).toBe('{ not json');
  });

  it('refuses an import over a limit or of the wrong kind with the field path and the limit, writing nothing', async () => {
    const cases: [string, string, RegExp][] = [
      [
        'scan.json',
        JSON.stringify({ entries: { '0': { uid: 0, key: ['a'], content: 'x', scanDepth: 5000 } } }),
        /entries\.0\.scanDepth: scan depth may be at most 1000/,
      ],
      [
        'key.json',
        JSON.stringify({ entries: { '0': { uid: 0, key: ['k'.repeat(600)], content: 'x' } } }),
        /entries\.0\.key\[0\]: a key may have at most 500 characters/,
      ],
      [
        'card.json',
        JSON.stringify({ spec: 'chara_card_v2', spec_version: '2.0', data: { name: 'Mira' } }),
        /character card, not a lorebook; import it in the NPCs tab/,
      ],
      ['notes.json', '{"hello": 1}', /not a lorebook/],
      ['torn.json', '{"entries": {', /not valid JSON/],
    ];
    for (const [name, text, message] of cases) {
      const err = await store.import(name, text).catch((e: unknown) => e);
      expect(err, name).toBeInstanceOf(LorebookImportError);
      expect((err as Error).message, name).toMatch(message);
      expect((err as Error).message, name).toMatch(new RegExp(`^${name.replace('.', '\\.')} was not imported`));
    }
    expect(await readdir(store.dir)).toEqual([]);
  });

  it('saves an edited lorebook with the same schema as import, and deletes it', async () => {
    const record = await store.import('harbor.json', HARBOR_TEXT);
    const edited = {
      id: record.id,
      name: 'Harbor (edited)',
      book: { ...record.book, entries: [...record.book.entries, { keys: ['gull'], content: 'Gulls.' }] },
    };
    const saved = await store.save(edited);
    expect(saved.book.entries).toHaveLength(record.book.entries.length + 1);
    expect(saved.createdAt).toBe(record.createdAt);
    expect(saved.source).toBe('world_info');
    await expect(store.save({ ...edited, book: { entries: [{ keys: [''.padEnd(501, 'k')] }] } })).rejects.toThrow(
      /entries\[0\]\.keys\[0\]: a key may have at most 500 characters/,
    );
    await expect(store.save({ ...edited, name: '   ' })).rejects.toBeInstanceOf(LorebookValidationError);
    await expect(store.save({ id: 'no-such-book', name: 'x', book: { entries: [] } })).rejects.toBeInstanceOf(LorebookNotFoundError);
    await store.delete(record.id);
    expect(() => store.get(record.id)).toThrow(LorebookNotFoundError);
    expect(await readdir(store.dir)).toEqual([]);
    expect(openFilePaths().filter((p) => p.startsWith(store.dir))).toEqual([]);
  });

  it('finds a lorebook by the name a card links it with, exact first, then ignoring case', async () => {
    const a = await store.save({ name: 'Harbor', book: { entries: [] } });
    const b = await store.save({ name: 'harbor', book: { entries: [] } });
    expect(store.findByName('harbor')?.id).toBe(b.id);
    expect(store.findByName('Harbor')?.id).toBe(a.id);
    const docks = await store.save({ name: 'Docks of Varn', book: { entries: [] } });
    expect(store.findByName(' docks OF varn ')?.id).toBe(docks.id);
    expect(store.findByName('Docks')).toBeNull();
    expect(a.id).not.toBe(b.id);
  });
});
