/* Personas (issue K item 2): saved atomically in personas.json, a default, a damaged file kept aside and reported. */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../electron/host/log/logger';
import { PersonaNotFoundError, PersonaStore } from '../../electron/host/npc/persona-store';
import { tempDir } from '../support/temp-dir';

let dir: { path: string; remove: () => Promise<void> };
const stores: PersonaStore[] = [];
async function open(): Promise<PersonaStore> {
  const s = new PersonaStore({ file: join(dir.path, 'personas.json'), logger: memoryLogger().logger });
  await s.initialize();
  stores.push(s);
  return s;
}

beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  for (const s of stores.splice(0)) await s.cleanup();
  await dir.remove();
});

describe('PersonaStore', () => {
  it("saves, edits, sets a default, resolves a conversation's persona, and keeps them across a restart", async () => {
    const store = await open();
    expect(store.resolve(null)).toEqual({ name: 'User', description: '' });
    const captain = await store.save({ name: 'Captain', description: 'Old sailor.' });
    const sela = await store.save({ name: 'Sela' });
    await store.save({ id: captain.id, name: 'Captain Rhys', description: 'Old sailor with a limp.' });
    await store.setDefault(captain.id);
    expect(store.resolve(null)).toEqual({ personaId: captain.id, name: 'Captain Rhys', description: 'Old sailor with a limp.' });
    expect(store.resolve(sela.id).name).toBe('Sela');
    expect(store.resolve('p-gone').name).toBe('Captain Rhys');
    await expect(store.setDefault('p-gone')).rejects.toBeInstanceOf(PersonaNotFoundError);
    await store.cleanup();

    const again = await open();
    expect(again.list()).toMatchObject({ defaultId: captain.id, personas: [{ name: 'Captain Rhys' }, { name: 'Sela' }] });
    expect(await again.delete(captain.id)).toBe(true);
    expect(again.list().defaultId).toBeNull();
    expect(await again.delete(captain.id)).toBe(false);
  });

  it('keeps a damaged file aside, reports it, and starts empty', async () => {
    await writeFile(join(dir.path, 'personas.json'), '{"version":1,"personas":[{"name":');
    const store = await open();
    expect(store.problem).toMatch(/not valid JSON.*kept as .*personas\.damaged-\d+\.json/);
    expect(store.list().personas).toEqual([]);
    expect((await store.healthCheck()).status).toBe('degraded');
    const aside = (await readdir(dir.path)).find((n) => n.startsWith('personas.damaged-'))!;
    expect(await readFile(join(dir.path, aside), 'utf8')).toBe('{"version":1,"personas":[{"name":');
  });
});
