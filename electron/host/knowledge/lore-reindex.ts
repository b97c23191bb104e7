import type { Metadata } from 'chromadb';
import { embedChecked } from './embedding-batch';
import type { LoreCollection } from './lore-collections';
import { collectionName } from './lore-manifest';
import type { IngestProgress, LoreWriteContext } from './lore-writer';

interface StoredChunk {
  id: string;
  document: string;
  metadata: Metadata;
}

const PAGE = 1000;

/**
 * Re-embeds every stored chunk of an NPC with the current model into the next generation of its
 * collection, switches the manifest to it, then drops the old one. A crash before the switch leaves the
 * old collection in use (the half-built one is dropped by the next reindex); after it, the new one.
 */
export async function reindexNpc(
  ctx: LoreWriteContext,
  npcId: string,
  onProgress?: (progress: IngestProgress) => void,
): Promise<{ sources: number; chunks: number }> {
  const { manifest, collections, embedder, batchSize } = ctx;
  const npc = manifest.npc(npcId);
  if (!npc) return { sources: 0, chunks: 0 };
  const old = await collections.open(npc.collection);
  const nextGeneration = npc.generation + 1;
  const nextName = collectionName(npcId, nextGeneration);
  await collections.drop(nextName);
  const stored = old ? await readAll(old) : [];
  let target: LoreCollection | null = null;
  for (let start = 0; start < stored.length; start += batchSize) {
    const batch = stored.slice(start, start + batchSize);
    const vectors = await embedChecked(
      embedder,
      batch.map((c) => c.document),
    );
    target ??= await collections.create(nextName, npcId, embedder.model, vectors[0]!.length);
    await target.collection.upsert({
      ids: batch.map((c) => c.id),
      embeddings: vectors,
      documents: batch.map((c) => c.document),
      metadatas: batch.map((c) => c.metadata),
    });
    onProgress?.({ npcId, source: '*', done: start + batch.length, total: stored.length });
  }
  if (!target) {
    const [probe] = await embedChecked(embedder, ['dimension probe']);
    await collections.create(nextName, npcId, embedder.model, probe!.length);
  }
  await manifest.switchCollection(npcId, nextGeneration);
  if (old) await collections.drop(old.name);
  return { sources: Object.keys(npc.sources).length, chunks: stored.length };
}

async function readAll(target: LoreCollection): Promise<StoredChunk[]> {
  const out: StoredChunk[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await target.collection.get({ limit: PAGE, offset, include: ['documents', 'metadatas'] });
    page.ids.forEach((id, i) => {
      const document = page.documents[i];
      if (typeof document === 'string') out.push({ id, document, metadata: page.metadatas[i] ?? {} });
    });
    if (page.ids.length < PAGE) return out;
  }
}
