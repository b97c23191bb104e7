import type { EmbeddingFunction } from '../processors/processor';
import { EmbeddingMismatchError } from './knowledge-errors';
import type { LoreCollection } from './lore-collections';

/** Embeds `texts` and checks the answer: one vector per text, all of one dimension, finite numbers. */
export async function embedChecked(embedder: EmbeddingFunction, texts: string[], signal?: AbortSignal): Promise<number[][]> {
  const vectors = await embedder.embed(texts, signal);
  if (!Array.isArray(vectors) || vectors.length !== texts.length) {
    throw new Error(
      `the embedding model ${embedder.model} returned ${Array.isArray(vectors) ? vectors.length : 'no'} vectors for ${texts.length} texts`,
    );
  }
  const dimension = vectors[0]?.length ?? 0;
  for (const v of vectors) {
    if (v.length !== dimension || dimension === 0 || !v.every(Number.isFinite)) {
      throw new Error(`the embedding model ${embedder.model} returned vectors of mixed or empty dimension, or non-finite values`);
    }
  }
  return vectors;
}

/** Throws when the collection was built with another model or dimension than the current embedder gives. */
export function checkCompatible(npcId: string, target: LoreCollection, model: string, dimension: number | null): void {
  if (target.model !== model || (dimension !== null && target.dimension !== dimension)) {
    throw new EmbeddingMismatchError(npcId, { model: target.model, dimension: target.dimension }, { model, dimension });
  }
}
