import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ChromaClient } from 'chromadb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EmbeddingMismatchError,
  KnowledgeInputError,
  UnknownNpcError,
  UnknownSourceError,
} from '../../electron/host/knowledge/knowledge-errors';
import { collectionName } from '../../electron/host/knowledge/lore-manifest';
import { HashedWordEmbedding, startKnowledge, type KnowledgeHarness } from '../support/chroma';
import { tempDir } from '../support/temp-dir';

const DRAGONS = '# Dragons\n\nDragons of the north have silver scales and breathe frost.\n\nThey sleep in ice caves for a hundred years.';
const TAVERN = '# The Gilded Goose\n\nThe tavern serves dark ale and mutton stew.\n\nMira the barkeep knows every rumour in town.';
const HARBOUR = '# Harbour\n\nFishing boats leave the harbour at dawn.\n\nThe lighthouse keeper counts the ships.';

let dir: { path: string; remove: () => Promise<void> };
let k: KnowledgeHarness;
let bare: ChromaClient;

async function chromaCount(npc: string, generation = 0, source?: string): Promise<number> {
  const col = await bare.getCollection({ name: collectionName(npc, generation) });
  if (!source) return col.count();
  return (await col.get({ where: { source: { $eq: source } } })).ids.length;
}

beforeAll(async () => {
  dir = await tempDir('npc-knowledge-');
  k = await startKnowledge(dir.path, {
    npcs: ['sage', 'smith', 'bard', 'ghost-npc', 'mute'],
    store: { chunking: { maxChars: 300, overlapChars: 40 } },
  });
  const url = new URL(k.server.url());
  bare = new ChromaClient({ host: url.hostname, port: Number(url.port) });
});

afterAll(async () => {
  await k?.close();
  await dir?.remove();
});

describe('KnowledgeStore on a real Chroma server', () => {
  it('ingests text and ranks the closest chunks first, with source, distance and id', async () => {
    const progress: number[] = [];
    await k.store.ingestText('sage', 'dragons', DRAGONS, { onProgress: (p) => progress.push(p.done) });
    await k.store.ingestText('sage', 'tavern', TAVERN);
    await k.store.ingestText('sage', 'harbour', HARBOUR);
    expect(progress.at(-1)).toBeGreaterThan(0);

    const hits = await k.store.query('sage', 'silver scales frost dragons', 3);
    expect(hits[0]!.source).toBe('dragons');
    expect(hits[0]!.id).toBe('dragons::0');
    expect(hits[0]!.heading).toBe('Dragons');
    const distances = hits.map((h) => h.distance);
    expect([...distances].sort((a, b) => a - b)).toEqual(distances);
    expect(distances[0]).toBeLessThan(distances[2]!);

    const ale = await k.store.query('sage', 'who pours the ale at the tavern', 1);
    expect(ale.map((h) => h.source)).toEqual(['tavern']);
  });

  it('reports progress per batch for a long ingest', async () => {
    const text = Array.from({ length: 150 }, (_, i) => `# Entry ${i}\n\nLore line ${i} about item${i}.`).join('\n\n');
    const seen: Array<[number, number]> = [];
    const small = await startKnowledge(join(dir.path, 'batch'), { server: {}, store: { batchSize: 40 } });
    try {
      await small.store.ingestText('any', 'items', text, { onProgress: (p) => seen.push([p.done, p.total]) });
    } finally {
      await small.close();
    }
    expect(seen).toEqual([
      [40, 150],
      [80, 150],
      [120, 150],
      [150, 150],
    ]);
  });

  it('re-ingesting a source replaces it and never duplicates it', async () => {
    const long = Array.from({ length: 8 }, (_, i) => `# Part ${i}\n\nThe smithy forge part ${i} hammer.`).join('\n\n');
    expect((await k.store.ingestText('smith', 'forge', long)).chunks).toBe(8);
    expect((await k.store.ingestText('smith', 'forge', long)).chunks).toBe(8);
    expect(await chromaCount('smith', 0, 'forge')).toBe(8);
    // A shorter version leaves no chunk of the longer one behind.
    await k.store.ingestText('smith', 'forge', '# Part 0\n\nOnly the anvil remains.');
    expect(await chromaCount('smith', 0, 'forge')).toBe(1);
    expect(k.store.listSources('smith')).toMatchObject([{ source: 'forge', chunks: 1, state: 'complete', scratch: false }]);
  });

  it('lists sources with chunk counts and deletes one', async () => {
    await k.store.ingestText('bard', 'songs', '# Songs\n\nThe ballad of the lost ship.');
    await k.store.ingestText('bard', 'poems', '# Poems\n\nAn ode to the northern wind.');
    expect(k.store.listSources('bard').map((s) => [s.source, s.chunks])).toEqual([
      ['poems', 1],
      ['songs', 1],
    ]);
    await k.store.deleteSource('bard', 'songs');
    expect(k.store.listSources('bard').map((s) => s.source)).toEqual(['poems']);
    expect(await chromaCount('bard', 0, 'songs')).toBe(0);
    const hits = await k.store.query('bard', 'ballad of the lost ship', 5);
    expect(hits.map((h) => h.source)).toEqual(['poems']);
    await expect(k.store.deleteSource('bard', 'songs')).rejects.toThrow(UnknownSourceError);
  });

  it('ingests .md and .txt files and refuses binary, unreadable and other files clearly', async () => {
    const md = join(dir.path, 'ghosts.md');
    await writeFile(md, '# Ghosts\n\nThe grey lady walks the east wing at midnight.');
    expect(await k.store.ingestFile('ghost-npc', md)).toEqual({ source: 'ghosts.md', chunks: 1 });
    expect((await k.store.query('ghost-npc', 'grey lady midnight', 1))[0]!.source).toBe('ghosts.md');

    const binary = join(dir.path, 'image.txt');
    await writeFile(binary, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]));
    await expect(k.store.ingestFile('ghost-npc', binary)).rejects.toThrow(/binary/);
    await expect(k.store.ingestFile('ghost-npc', join(dir.path, 'missing.md'))).rejects.toThrow(/missing\.md: cannot be read/);
    await expect(k.store.ingestFile('ghost-npc', join(dir.path, 'sheet.pdf'))).rejects.toThrow(/only .txt, .md/);
    const empty = join(dir.path, 'empty.txt');
    await writeFile(empty, '  \n\n');
    await expect(k.store.ingestFile('ghost-npc', empty)).rejects.toThrow(/empty/);
  });

  it('gives clear errors for empty text, unknown NPCs and k out of range', async () => {
    await expect(k.store.ingestText('sage', 'blank', '   \n ')).rejects.toThrow(KnowledgeInputError);
    await expect(k.store.ingestText('sage', 'titles', '# Title\n\n## Subtitle\n')).rejects.toThrow(/headings but no text/);
    await expect(k.store.ingestText('sage', '', 'text')).rejects.toThrow(/needs a name/);
    await expect(k.store.ingestText('stranger', 'x', 'some lore')).rejects.toThrow(/unknown NPC "stranger"/);
    await expect(k.store.query('stranger', 'x', 3)).rejects.toThrow(UnknownNpcError);
    expect(() => k.store.listSources('stranger')).toThrow(UnknownNpcError);
    for (const bad of [0, 51, 2.5, Number.NaN])
      await expect(k.store.query('sage', 'dragons', bad)).rejects.toThrow(/k must be an integer from 1 to 50/);
    await expect(k.store.query('sage', '  ', 3)).rejects.toThrow(/empty/);
    // An NPC with no lore yet has nothing to recall.
    expect(await k.store.query('mute', 'anything', 3)).toEqual([]);
  });

  it('refuses another embedding model or dimension, naming both, until reindex', async () => {
    const other = new HashedWordEmbedding('test:other-model', 256);
    k.store.setEmbeddingFunction(other);
    const mismatch = k.store.query('sage', 'dragons', 1);
    await expect(mismatch).rejects.toThrow(EmbeddingMismatchError);
    await expect(k.store.query('sage', 'dragons', 1)).rejects.toThrow(/test:hashed-words \(dimension 384\).*test:other-model/);
    await expect(k.store.ingestText('sage', 'more', 'more lore')).rejects.toThrow(/reindex/);
    // Same model name, other dimension: caught on the vectors themselves.
    k.store.setEmbeddingFunction(new HashedWordEmbedding('test:hashed-words', 128));
    await expect(k.store.ingestText('sage', 'more', 'more lore')).rejects.toThrow(/dimension 384.*dimension 128/);
    expect(k.store.listSources('sage').map((s) => s.state)).toEqual(['complete', 'complete', 'complete']);

    k.store.setEmbeddingFunction(other);
    const before = await chromaCount('sage', 0);
    expect(await k.store.reindex('sage')).toEqual({ sources: 3, chunks: before });
    expect(await chromaCount('sage', 1)).toBe(before);
    await expect(bare.getCollection({ name: collectionName('sage', 0) })).rejects.toThrow();
    const hits = await k.store.query('sage', 'silver scales frost dragons', 1);
    expect(hits[0]!.source).toBe('dragons');
    k.store.setEmbeddingFunction(new HashedWordEmbedding());
    await k.store.reindex('sage');
  });

  it('clear() removes scratch entries and keeps the lore', async () => {
    await k.store.ingestText('sage', 'preview', '# Preview\n\nA scratch note about silver dragons frost.', { scratch: true });
    expect((await k.store.query('sage', 'scratch note silver dragons', 1))[0]!.scratch).toBe(true);
    const withScratch = await chromaCount('sage', 2);
    await k.store.clear();
    expect(k.store.listSources('sage').map((s) => s.source)).toEqual(['dragons', 'harbour', 'tavern']);
    expect(await chromaCount('sage', 2)).toBe(withScratch - 1);
    const hits = await k.store.query('sage', 'scratch note silver dragons', 10);
    expect(hits.some((h) => h.scratch)).toBe(false);
    expect(hits[0]!.source).toBe('dragons');
  });

  it('health counts the store sockets to Chroma', async () => {
    await Promise.all([k.store.query('sage', 'ale', 2), k.store.query('sage', 'ships', 2), k.store.query('sage', 'frost', 2)]);
    const health = await k.store.healthCheck();
    expect(health.status).toBe('healthy');
    expect(health.resources.openSockets).toBeGreaterThan(0);
  });
});
