import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../electron/host/log/logger';
import { NpcFileConflictError, NpcNotFoundError, NpcValidationError, StoreClosedError } from '../../electron/host/npc/npc-errors';
import { NpcStore } from '../../electron/host/npc/npc-store';
import { openFilePaths } from '../../electron/host/resources/proc';
import { tempDir } from '../support/temp-dir';
import { cardV1, fullCardV2 } from './card-fixtures';

let dir: { path: string; remove: () => Promise<void> };
let store: NpcStore;
let logs: ReturnType<typeof memoryLogger>;

async function openStore(): Promise<NpcStore> {
  const s = new NpcStore({ dir: join(dir.path, 'npcs'), logger: logs.logger });
  await s.initialize();
  return s;
}

const filesOpenUnder = (path: string) => openFilePaths().filter((p) => p.startsWith(path)).length;

beforeEach(async () => {
  dir = await tempDir();
  logs = memoryLogger();
  store = await openStore();
});

afterEach(async () => {
  await store.cleanup();
  await dir.remove();
});

describe('NpcStore', () => {
  it('saves one JSON file per NPC and reads it back after a restart', async () => {
    const saved = await store.save({ card: { name: 'Élodie the Bard' } });
    expect(saved.id).toMatch(/^elodie-the-bard-[0-9a-f]{6}$/);
    expect(saved.studio).toEqual({ processor: 'local', model: 'llama3.2', sampling: {} });
    const onDisk = JSON.parse(await readFile(join(store.dir, `${saved.id}.json`), 'utf8'));
    expect(onDisk).toEqual(saved);

    // A draft is {id?, studio, card}: version and timestamps are the store's.
    await expect(store.save(saved)).rejects.toBeInstanceOf(NpcValidationError);
    const ok = await store.save({ id: saved.id, studio: saved.studio, card: { ...saved.card, personality: 'cheerful' } });
    expect(ok.createdAt).toBe(saved.createdAt);

    await store.cleanup();
    store = await openStore();
    expect(store.list()).toEqual([
      { id: saved.id, name: 'Élodie the Bard', tags: [], processor: 'local', model: 'llama3.2', updatedAt: ok.updatedAt, hasArt: false },
    ]);
    expect(store.get(saved.id).card.personality).toBe('cheerful');
  });

  it('refuses an invalid NPC with the field path, and writes nothing', async () => {
    await expect(store.save({ card: { name: 'A', tags: 'smith' } })).rejects.toMatchObject({
      name: 'NpcValidationError',
      fieldPath: 'card.tags',
    });
    await expect(store.save({ card: { name: '  ' } })).rejects.toThrow(/card\.name: must not be empty/);
    await expect(
      store.save({ card: { name: 'A' }, studio: { processor: 'local', model: 'm', sampling: { temperature: 7 } } }),
    ).rejects.toThrow(/studio\.sampling\.temperature/);
    await expect(store.save({ id: '../escape', card: { name: 'A' } })).rejects.toMatchObject({ fieldPath: 'id' });
    expect(await readdir(store.dir)).toEqual([]);
  });

  it('reports an invalid file with its field path, keeps it byte for byte, and refuses to overwrite or delete it', async () => {
    const good = await store.save({ card: { name: 'Good' } });
    const badText = JSON.stringify({ ...good, id: 'broken-1', card: { ...good.card, alternate_greetings: 'hello' } });
    await writeFile(join(store.dir, 'broken-1.json'), badText);
    await writeFile(join(store.dir, 'not-json.json'), '{ "id": ');
    await store.cleanup();
    store = await openStore();

    expect(store.list().map((n) => n.id)).toEqual([good.id]);
    expect(store.problems()).toEqual([
      {
        file: join(store.dir, 'broken-1.json'),
        id: 'broken-1',
        fieldPath: 'card.alternate_greetings',
        reason: expect.stringMatching(/expected array/),
      },
      { file: join(store.dir, 'not-json.json'), id: 'not-json', reason: expect.stringMatching(/not valid JSON/) },
    ]);
    await expect(store.save({ id: 'broken-1', card: { name: 'Overwrite' } })).rejects.toBeInstanceOf(NpcFileConflictError);
    await expect(store.save({ id: 'broken-1', card: { name: 'Overwrite' } })).rejects.toThrow(
      /broken-1\.json failed validation \(card\.alternate_greetings/,
    );
    await expect(store.delete('broken-1')).rejects.toThrow(/delete refused/);
    expect(await readFile(join(store.dir, 'broken-1.json'), 'utf8')).toBe(badText);

    const health = await store.healthCheck();
    expect(health.status).toBe('degraded');
    expect(health.resources).toMatchObject({ npcs: 1, invalidFiles: 2, openFiles: 0 });
    expect(logs.ring.messages().some((m) => /kept but not loaded/.test(m))).toBe(true);
  });

  it('imports V2 JSON, edits, exports: every field and unknown extension comes back untouched', async () => {
    const source = fullCardV2();
    const { npc, format } = await store.importCard(JSON.stringify(source));
    expect(format).toBe('v2-json');
    await store.save({ id: npc.id, studio: { ...npc.studio, model: 'mistral' }, card: { ...npc.card, scenario: 'Edited scenario.' } });

    const exported = JSON.parse((await store.exportCard(npc.id, 'json')).bytes.toString('utf8'));
    expect(exported.spec).toBe('chara_card_v2');
    expect(exported.spec_version).toBe('2.0');
    expect(exported.data).toEqual({
      ...source.data,
      scenario: 'Edited scenario.',
      extensions: { ...source.data.extensions, npc_studio: { processor: 'local', model: 'mistral', sampling: {} } },
    });
  });

  it('imports and exports PNG cards; a re-import restores the studio settings', async () => {
    const { npc } = await store.importCard(JSON.stringify(fullCardV2()));
    await store.save({
      id: npc.id,
      card: npc.card,
      studio: { processor: 'hosted', model: 'claude', sampling: { numCtx: 16384, keepAlive: '10m' } },
    });
    const png = (await store.exportCard(npc.id, 'png')).bytes;
    const again = await store.importCard(png);
    expect(again.format).toBe('v3-png'); // both chunks are written; ccv3 wins
    expect(again.npc.id).not.toBe(npc.id);
    expect(again.npc.card).toEqual(fullCardV2().data);
    expect(again.npc.studio).toEqual({ processor: 'hosted', model: 'claude', sampling: { numCtx: 16384, keepAlive: '10m' } });
  });

  it('imports a V1 card', async () => {
    const { npc, format } = await store.importCard(Buffer.from(JSON.stringify(cardV1())));
    expect(format).toBe('v1-json');
    expect(store.get(npc.id).card).toMatchObject({ name: 'Old Tom', first_mes: 'Fare is two coppers.', creator_notes: 'Made in TavernAI' });
  });

  it('deletes, holds no file open between operations, and closes idempotently', async () => {
    const a = await store.save({ card: { name: 'A' } });
    await store.importCard(fullCardV2());
    expect(filesOpenUnder(store.dir)).toBe(0);
    await store.delete(a.id);
    await expect(store.delete(a.id)).rejects.toBeInstanceOf(NpcNotFoundError);
    expect(() => store.get(a.id)).toThrow(/no NPC with id/);
    expect((await readdir(store.dir)).length).toBe(1);
    expect((await store.healthCheck()).resources).toMatchObject({ npcs: 1, invalidFiles: 0, openFiles: 0, inFlight: 0 });

    const pending = store.save({ card: { name: 'Late' } });
    await Promise.all([store.cleanup(), store.cleanup()]);
    await expect(pending).resolves.toMatchObject({ card: { name: 'Late' } }); // close waited for it
    expect((await store.healthCheck()).status).toBe('stopped');
    expect(() => store.list()).toThrow(StoreClosedError);
    await expect(store.save({ card: { name: 'B' } })).rejects.toBeInstanceOf(StoreClosedError);
    expect(filesOpenUnder(dir.path)).toBe(0);
  });
});
