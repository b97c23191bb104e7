/*
 * The NPC list says which NPCs have card art (views fetch art only for those), and replacing the art moves the
 * NPC's updatedAt (views key their cached picture on it).
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../electron/host/log/logger';
import { NpcStore } from '../../electron/host/npc/npc-store';
import { tempDir } from '../support/temp-dir';
import { pngImage } from './card-test-images';

const studio = { processor: 'local' as const, model: 'llama3.2', sampling: {} };
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function openStore(dir: string): Promise<NpcStore> {
  const store = new NpcStore({ dir, logger: memoryLogger().logger });
  await store.initialize();
  cleanups.push(() => store.cleanup());
  return store;
}

describe('NPC summaries and card art', () => {
  it('hasArt follows the art (set, found again on open, gone with the NPC); setArt moves updatedAt', async () => {
    const temp = await tempDir();
    cleanups.push(temp.remove);
    const dir = join(temp.path, 'npcs');
    const store = await openStore(dir);
    const mira = await store.save({ card: { name: 'Mira Vell' }, studio });
    const tomas = await store.save({ card: { name: 'Tomas' }, studio });
    const summary = (s: NpcStore, id: string) => s.list().find((n) => n.id === id)!;
    expect(summary(store, mira.id).hasArt).toBe(false);

    await new Promise((r) => setTimeout(r, 5)); // updatedAt has millisecond resolution
    await store.setArt(mira.id, pngImage(64, 64));
    expect(summary(store, mira.id)).toMatchObject({ hasArt: true });
    expect(summary(store, mira.id).updatedAt > mira.updatedAt).toBe(true);
    expect(store.get(mira.id).updatedAt).toBe(summary(store, mira.id).updatedAt);
    expect(summary(store, tomas.id).hasArt).toBe(false);

    await store.cleanup();
    const reopened = await openStore(dir);
    expect(summary(reopened, mira.id).hasArt).toBe(true);
    expect(summary(reopened, tomas.id).hasArt).toBe(false);

    await reopened.delete(mira.id);
    const again = await reopened.save({ id: mira.id, card: { name: 'Mira Vell' }, studio });
    expect(summary(reopened, again.id).hasArt).toBe(false);
  });
});
