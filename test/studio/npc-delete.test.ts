/*
 * Deleting an NPC removes its conversations, lore (Chroma collections and manifest entries) and its id on usage
 * records, for good: a new NPC with the same id starts empty, in this run and after a restart.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ChromaClient } from 'chromadb';
import { describe, expect, it } from 'vitest';
import type { ChatDoneEvent } from '../../shared/events';
import { OllamaTestServer } from '../../electron/host/demo/ollama';
import { DELETED_NPC_LABEL } from '../../electron/host/usage/usage-relabel';
import { startStudio, TEST_SENDER } from '../support/studio-rig';
import { useTempDirAndOllama } from '../support/studio-fixtures';
import { tempDir } from '../support/temp-dir';

const fixtures = useTempDirAndOllama('npc-delete-');

const MIRA = { id: 'mira', card: { name: 'Mira', first_mes: 'Well met.' }, studio: { processor: 'local' as const, model: 'llama3.2' } };

async function chatOnce(
  studio: Awaited<ReturnType<typeof startStudio>>['studio'],
  call: Awaited<ReturnType<typeof startStudio>>['call'],
  text: string,
) {
  const done = new Promise<ChatDoneEvent>((resolve) => {
    const off = studio.router.subscribe('chat.done', (e) => {
      off();
      resolve(e);
    });
  });
  await call('chat.send', { npcId: 'mira', text });
  return done;
}

async function chromaCollections(chromaUrl: string): Promise<string[]> {
  const { hostname, port } = new URL(chromaUrl);
  const client = new ChromaClient({ host: hostname, port: Number(port) });
  return (await client.listCollections()).map((c) => c.name);
}

describe('deleting an NPC', () => {
  it('removes its transcripts, lore and usage labels; a new NPC with the same id starts empty', async () => {
    const { studio, call } = await startStudio(fixtures.dir.path, { ollamaUrl: fixtures.ollama.url });
    await call('npc.save', MIRA);
    await call('npc.save', { card: { name: 'Oskar' }, studio: { processor: 'local', model: 'llama3.2' } });
    const oskar = (await call('npc.list', {})).find((n) => n.name === 'Oskar')!;
    await call('knowledge.ingest', { npcId: 'mira', source: 'vault.md', text: '# Vault\n\nThe vault code is hidden under the red tile.' });
    await call('knowledge.ingest', { npcId: oskar.id, source: 'mill.md', text: '# Mill\n\nThe mill turns at dawn.' });
    await chatOnce(studio, call, 'My secret is 1234.');
    const chromaHealth = (await call('providers.health', {})).find((h) => h.id === 'chroma-server')!;
    const chromaUrl = `http://127.0.0.1:${chromaHealth.resources.port as number}`;
    expect(await chromaCollections(chromaUrl)).toContain('lore-mira-g0');
    expect(await readFile(join(fixtures.dir.path, 'usage.jsonl'), 'utf8')).toContain('"npcId":"mira"');

    expect(await call('npc.delete', { id: 'mira' })).toEqual({ deleted: true });

    expect(await readdir(join(fixtures.dir.path, 'transcripts'))).not.toContain('mira');
    expect(await chromaCollections(chromaUrl)).not.toContain('lore-mira-g0');
    expect(await chromaCollections(chromaUrl)).toContain(`lore-${oskar.id}-g0`);
    const manifest = JSON.parse(await readFile(join(fixtures.dir.path, 'knowledge', 'lore-manifest.json'), 'utf8')) as {
      npcs: Record<string, unknown>;
    };
    expect(Object.keys(manifest.npcs)).toEqual([oskar.id]);
    const usage = await readFile(join(fixtures.dir.path, 'usage.jsonl'), 'utf8');
    expect(usage).not.toContain('"npcId":"mira"');
    expect(usage).toContain(`"npcId":"${DELETED_NPC_LABEL}"`);
    expect((await call('usage.summary', {})).totals.calls).toBe(1);

    await call('npc.save', MIRA);
    const history = await call('chat.history', { npcId: 'mira' });
    expect(JSON.stringify(history)).not.toContain('1234');
    expect(history.turns.map((t) => t.text)).toEqual(['Well met.']);
    expect((await call('knowledge.sources', { npcId: 'mira' })).sources).toEqual([]);
    expect(await call('knowledge.search', { npcId: 'mira', query: 'vault code red tile', limit: 3 })).toEqual([]);
    expect((await call('knowledge.sources', { npcId: oskar.id })).sources.map((s) => s.name)).toEqual(['mill.md']);
    await chatOnce(studio, call, 'Hello again.');
    expect((await studio.coordinator.run('test quit')).exitCode).toBe(0);

    // After a restart nothing of the old Mira comes back from disk either.
    const second = await startStudio(fixtures.dir.path, { ollamaUrl: fixtures.ollama.url });
    const again = await second.call('chat.history', { npcId: 'mira' });
    expect(JSON.stringify(again)).not.toContain('1234');
    expect(again.turns.map((t) => t.role)).toEqual(['assistant', 'user', 'assistant']);
    expect((await second.studio.coordinator.run('test quit')).exitCode).toBe(0);
  });

  it('stops its streaming replies and impersonations, saving nothing, and lets nothing new start until it is gone', async () => {
    const local = await tempDir('npc-delete-busy-');
    const slow = new OllamaTestServer({ switches: { tokenDelayMs: 30, replyTokens: 400 } });
    await slow.start();
    const { studio, call } = await startStudio(local.path, { ollamaUrl: slow.url });
    const seen: { event: string; turnId: string; e: unknown }[] = [];
    for (const event of ['chat.token', 'chat.done', 'chat.error'] as const) {
      studio.router.subscribe(event, (e) => seen.push({ event, turnId: e.turnId, e }));
    }
    const tokens = (turnId: string) => seen.filter((x) => x.event === 'chat.token' && x.turnId === turnId).length;
    try {
      await call('npc.save', MIRA);
      await call('chat.history', { npcId: 'mira' });
      const side = await call('conversation.create', { npcId: 'mira', title: 'Side' });
      const sent = await call('chat.send', { npcId: 'mira', conversationId: side.conversationId, text: 'Tell me a long story.' });
      const drafting = call('chat.impersonate', { npcId: 'mira' }).catch((err: unknown) => err);
      while (tokens(sent.turnId) < 3) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 300)); // past a draft write (every 250 ms): there are drafts to delete too

      const deleting = call('npc.delete', { id: 'mira' });
      // While it is being deleted nothing new starts for it, in any conversation.
      for (const [channel, input] of [
        ['chat.send', { npcId: 'mira', text: 'Wait!' }],
        ['chat.impersonate', { npcId: 'mira', conversationId: side.conversationId }],
      ] as const) {
        expect(await studio.router.call(channel, input, TEST_SENDER)).toMatchObject({
          ok: false,
          error: { code: 'NotFound', message: expect.stringContaining('Mira (mira) is being deleted') },
        });
      }
      expect(await deleting).toEqual({ deleted: true });
      expect(await drafting).toMatchObject({ stopped: true });
      const tokensAtDelete = tokens(sent.turnId);
      await new Promise((r) => setTimeout(r, 400)); // time for anything still running to write or report

      expect(tokens(sent.turnId)).toBe(tokensAtDelete);
      // The turn ends once, cleanly, as in a conversation deleted under it: nothing to reload, nothing kept.
      expect(seen.filter((x) => x.event !== 'chat.token')).toEqual([
        {
          event: 'chat.done',
          turnId: sent.turnId,
          e: {
            turnId: sent.turnId,
            npcId: 'mira',
            conversationId: side.conversationId,
            alternative: 0,
            interrupted: true,
            conversationDeleted: true,
          },
        },
      ]);
      expect(await readdir(join(local.path, 'transcripts'))).not.toContain('mira');
      expect(await call('npc.list', {})).toEqual([]);

      // A new Mira starts empty and can chat at once.
      await call('npc.save', MIRA);
      expect((await call('conversation.list', { npcId: 'mira' })).map((c) => c.conversationId)).toEqual(['main']);
      const again = await call('chat.send', { npcId: 'mira', text: 'Hello?' });
      expect(await call('chat.stop', { npcId: 'mira', turnId: again.turnId })).toEqual({ stopped: true });
    } finally {
      await studio.coordinator.run('test quit');
      await slow.stop();
      await local.remove();
    }
  });
});
