import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IpcResult } from '../../shared/errors';
import type { Channel, Input, Output } from '../../shared/contract';
import { withDomainErrors } from '../../electron/host/ipc/handlers/domain-errors';
import { lorebookHandlers } from '../../electron/host/ipc/handlers/lorebook-handlers';
import type { StudioServices } from '../../electron/host/ipc/handlers/services';
import { createRouter, type Router } from '../../electron/host/ipc/router';
import { memoryLogger } from '../../electron/host/log/logger';
import { LorebookStore } from '../../electron/host/lore/lorebook-store';
import { NpcStore } from '../../electron/host/npc/npc-store';
import { tempDir } from '../support/temp-dir';
import { fakeHandlers, trustedSender } from './fake-handlers';

const HARBOR_TEXT = readFileSync(new URL('../lore/fixtures/harbor-world-info.json', import.meta.url), 'utf8');

let dir: Awaited<ReturnType<typeof tempDir>>;
let lorebooks: LorebookStore;
let npcs: NpcStore;
let router: Router;

async function call<C extends Channel>(channel: C, input: Input<C> | Record<string, unknown>): Promise<IpcResult<Output<C>>> {
  return (await router.call(channel, input, { sender: trustedSender })) as IpcResult<Output<C>>;
}
async function ok<C extends Channel>(channel: C, input: Input<C>): Promise<Output<C>> {
  const result = await call(channel, input);
  if (!result.ok) throw new Error(`${channel}: ${result.error.message}`);
  return result.value;
}

beforeEach(async () => {
  dir = await tempDir('npc-lorebook-ipc-');
  const logger = memoryLogger().logger;
  lorebooks = new LorebookStore({ dir: join(dir.path, 'lorebooks'), logger });
  npcs = new NpcStore({ dir: join(dir.path, 'npcs'), logger });
  await lorebooks.initialize();
  await npcs.initialize();
  const services = { lorebooks, npcs } as unknown as StudioServices;
  router = createRouter(fakeHandlers(withDomainErrors(lorebookHandlers(services))), {
    isAccepting: () => true,
    collectHealth: async () => [],
  });
});
afterEach(async () => {
  router.close();
  await lorebooks.cleanup();
  await npcs.cleanup();
  await dir.remove();
});

describe('lorebook channels', () => {
  it('validates input at the contract: each refusal names the field and writes nothing', async () => {
    const refusals: [Channel, unknown, string, RegExp][] = [
      ['lorebook.import', { fileName: 'a.json' }, 'text', /expected string/],
      ['lorebook.export', { id: 'x', format: 'csv' }, 'format', /Invalid option/],
      ['lorebook.get', { id: '../etc/passwd' }, 'id', /letters, digits/],
      [
        'lorebook.save',
        { name: 'B', book: { entries: [{ keys: ['a'], scanDepth: 5000 }] } },
        'book.entries[0].scanDepth',
        /at most 1000 messages/,
      ],
      ['lorebook.save', { name: '', book: { entries: [] } }, 'name', /give the lorebook a name/],
      ['lorebook.try', { message: '   ' }, 'message', /type a message to try/],
      ['lorebook.attach', { id: 'x', npcIds: ['ok', 'no/slash'] }, 'npcIds[1]', /letters, digits/],
    ];
    for (const [channel, input, path, message] of refusals) {
      const result = await call(channel, input as Record<string, unknown>);
      expect(result.ok, channel).toBe(false);
      if (result.ok) continue;
      if (result.error.code !== 'ValidationError') throw new Error(`${channel}: ${result.error.code}`);
      expect(result.error.issues[0]?.path, channel).toBe(path);
      expect(result.error.issues[0]?.message, channel).toMatch(message);
    }
    expect(lorebooks.list()).toEqual([]);
  });

  it('a refused import answers ValidationError with the file, the field path and the limit', async () => {
    const text = JSON.stringify({ entries: { '0': { uid: 0, key: ['a'], scanDepth: 5000 } } });
    const result = await call('lorebook.import', { fileName: 'deep.json', text });
    expect(result).toMatchObject({ ok: false, error: { code: 'ValidationError', issues: [{ path: 'entries.0.scanDepth' }] } });
    expect(!result.ok && result.error.message).toMatch(
      /^deep\.json was not imported: entries\.0\.scanDepth: scan depth may be at most 1000 messages/,
    );
  });

  it('imports, lists with the NPCs using it, attaches to two NPCs, tries a message, and detaches on delete', async () => {
    const book = await ok('lorebook.import', { fileName: 'Harbor.json', text: HARBOR_TEXT });
    const mira = await npcs.save({ card: { name: 'Mira' } });
    const tomas = await npcs.save({ card: { name: 'Tomas' } });
    const linked = await npcs.save({ card: { name: 'Lia', extensions: { world: 'harbor' } } });

    const attached = await ok('lorebook.attach', { id: book.id, npcIds: [mira.id, tomas.id] });
    expect(attached.npcs).toEqual([
      { id: linked.id, name: 'Lia', how: 'linked' },
      { id: mira.id, name: 'Mira', how: 'attached' },
      { id: tomas.id, name: 'Tomas', how: 'attached' },
    ]);
    expect(npcs.get(mira.id).studio.lorebooks).toEqual([book.id]);
    expect((await ok('lorebook.list', {}))[0]).toMatchObject({ id: book.id, name: 'Harbor', entries: book.book.entries.length });

    const unknown = await call('lorebook.attach', { id: book.id, npcIds: ['no-such-npc'] });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'NotFound' } });
    expect(npcs.get(mira.id).studio.lorebooks).toEqual([book.id]);

    for (const npc of [mira, tomas, linked]) {
      const tried = await ok('lorebook.try', { npcId: npc.id, message: 'Any contraband at pier 9?' });
      const fired = tried.trace.activated.filter((a) => a.book === book.id);
      expect(fired.length, npc.card.name).toBeGreaterThan(0);
      expect(tried.books.find((b) => b.id === book.id)?.how).toBe(npc.id === linked.id ? 'linked' : 'attached');
    }

    // The editor's unsaved version replaces the stored one.
    const edited = { ...book.book, entries: [{ keys: ['gull'], content: 'Gulls circle the mast.', comment: 'gulls' }] };
    const tried = await ok('lorebook.try', { npcId: mira.id, book: { id: book.id, name: 'Harbor', book: edited }, message: 'a gull!' });
    expect(tried.trace.activated.map((a) => [a.comment, a.trace.reason, a.trace.key])).toEqual([['gulls', 'key', 'gull']]);

    expect(await ok('lorebook.delete', { id: book.id })).toEqual({ deleted: true, detachedFrom: [mira.id, tomas.id].sort() });
    expect(npcs.get(mira.id).studio.lorebooks).toEqual([]);
    expect(await call('lorebook.get', { id: book.id })).toMatchObject({ ok: false, error: { code: 'NotFound' } });
  });

  it('exports both formats with bounded, safe file names', async () => {
    const book = await ok('lorebook.save', { name: 'Very long / name: '.repeat(25), book: { entries: [{ keys: ['a'], content: 'A.' }] } });
    const st = await ok('lorebook.export', { id: book.id, format: 'st' });
    const v3 = await ok('lorebook.export', { id: book.id, format: 'v3' });
    for (const file of [st, v3]) {
      expect(file.fileName).not.toMatch(/[/\\:]/);
      expect(file.fileName.length).toBeLessThanOrEqual(80 + '.lorebook.json'.length);
    }
    expect(JSON.parse(st.text)).toEqual({ entries: { '0': { key: ['a'], content: 'A.' } } });
    expect(JSON.parse(v3.text)).toEqual({ spec: 'lorebook_v3', data: { entries: [{ keys: ['a'], content: 'A.' }] } });
  });
});
