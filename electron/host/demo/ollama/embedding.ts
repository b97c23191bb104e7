/**
 * Deterministic stand-in for an embedding model: hashed word features, L2-normalised.
 * Each lower-cased word adds ±1 to one of `dim` buckets (FNV-1a picks the bucket, one hash bit the sign),
 * so texts that share words have a high cosine similarity and unrelated texts are near orthogonal.
 */
export const EMBEDDING_DIM = 384;

export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
}

export function hashedEmbedding(text: string, dim: number = EMBEDDING_DIM): number[] {
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`embedding dimension must be a positive integer, got ${dim}`);
  const vector = new Array<number>(dim).fill(0);
  const features = words(text);
  // A text without words still gets a unit vector (from its raw characters), never NaN.
  for (const word of features.length > 0 ? features : [text]) {
    const h = fnv1a(word);
    vector[h % dim]! += h & 0x80000000 ? -1 : 1;
  }
  const norm = Math.hypot(...vector);
  return norm === 0 ? vector.map((_, i) => (i === 0 ? 1 : 0)) : vector.map((v) => v / norm);
}

export function cosine(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new RangeError(`vectors differ in length: ${a.length} vs ${b.length}`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
