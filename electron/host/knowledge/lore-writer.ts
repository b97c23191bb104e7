import type { EmbeddingFunction } from '../processors/processor';
import type { TextChunk } from './chunker';
import { checkCompatible, embedChecked } from './embedding-batch';
import type { LoreCollection, LoreCollections } from './lore-collections';
import type { LoreManifest, SourceEntry } from './lore-manifest';

export interface IngestProgress {
  npcId: string;
  source: string;
  done: number;
  total: number;
}

export interface WriteSourceRequest {
  npcId: string;
  source: string;
  chunks: TextChunk[];
  scratch: boolean;
  origin: SourceEntry['origin'];
  path?: string;
  onProgress?: (progress: IngestProgress) => void;
  signal?: AbortSignal;
}

export interface LoreWriteContext {
  manifest: LoreManifest;
  collections: LoreCollections;
  embedder: EmbeddingFunction;
  batchSize: number;
}

/** Chroma ids are stable per source and chunk, so writing a source again replaces it. */
export function chunkId(source: string, index: number): string {
  return `${source}::${index}`;
}

/**
 * Stores one source's chunks. The manifest marks the source incomplete before its first chunk is written
 * and complete only after the last one and after chunks left over from a longer earlier version are
 * deleted: a crash or an error anywhere in between leaves it marked incomplete, to be ingested again.
 */
export async function writeSource(ctx: LoreWriteContext, req: WriteSourceRequest): Promise<number> {
  const { manifest, collections, embedder, batchSize } = ctx;
  const npc = manifest.ensureNpc(req.npcId);
  let target: LoreCollection | null = await collections.open(npc.collection);
  if (target) checkCompatible(req.npcId, target, embedder.model, null);
  const entry = { chunks: req.chunks.length, scratch: req.scratch, origin: req.origin, path: req.path };
  let marked = false;
  for (let start = 0; start < req.chunks.length; start += batchSize) {
    req.signal?.throwIfAborted();
    const batch = req.chunks.slice(start, start + batchSize);
    const vectors = await embedChecked(
      embedder,
      batch.map((c) => c.text),
      req.signal,
    );
    const dimension = vectors[0]!.length;
    target ??= await collections.create(npc.collection, req.npcId, embedder.model, dimension);
    checkCompatible(req.npcId, target, embedder.model, dimension);
    if (!marked) {
      await manifest.setSource(req.npcId, req.source, { ...entry, state: 'incomplete' });
      marked = true;
    }
    await target.collection.upsert({
      ids: batch.map((c) => chunkId(req.source, c.index)),
      embeddings: vectors,
      documents: batch.map((c) => c.text),
      metadatas: batch.map((c) => ({ source: req.source, chunk: c.index, heading: c.heading, scratch: req.scratch })),
    });
    req.onProgress?.({ npcId: req.npcId, source: req.source, done: start + batch.length, total: req.chunks.length });
  }
  if (target) {
    await target.collection.delete({ where: { $and: [{ source: { $eq: req.source } }, { chunk: { $gte: req.chunks.length } }] } });
  }
  await manifest.setSource(req.npcId, req.source, { ...entry, state: 'complete' });
  return req.chunks.length;
}
