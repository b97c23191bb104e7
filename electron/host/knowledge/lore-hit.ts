import type { QueryResult } from 'chromadb';

/** One chunk a query found. */
export interface LoreHit {
  id: string;
  source: string;
  chunk: number;
  heading: string;
  text: string;
  /** Cosine distance: 0 is the same direction, 2 the opposite. */
  distance: number;
  scratch: boolean;
}

/** The hits for the first (only) query embedding, nearest first as Chroma returns them. */
export function toLoreHits(result: QueryResult): LoreHit[] {
  const ids = result.ids[0] ?? [];
  return ids.map((id, i) => {
    const meta = result.metadatas[0]?.[i] ?? {};
    return {
      id,
      source: String(meta.source ?? ''),
      chunk: Number(meta.chunk ?? -1),
      heading: String(meta.heading ?? ''),
      text: result.documents[0]?.[i] ?? '',
      distance: result.distances[0]?.[i] ?? Number.NaN,
      scratch: meta.scratch === true,
    };
  });
}
