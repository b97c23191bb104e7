export interface KnowledgeSource {
  id: string;
  name: string;
  chunks: number;
  /** Text length, where the store records it. */
  chars?: number;
  /** 'incomplete': an ingest was interrupted; add the source again or delete it. */
  state?: 'complete' | 'incomplete';
  addedAt: string;
  /** The embedding model the chunks were embedded with. */
  embeddingModel: string;
}

export interface KnowledgeSources {
  npcId: string;
  sources: KnowledgeSource[];
  /** The model new text would be embedded with now. */
  embeddingModel: string;
  /** True when some source was embedded with another model: search is unreliable until reindex. */
  needsReindex: boolean;
}

export interface IngestResult {
  sourceId: string;
  chunks: number;
  ms: number;
}

export interface SearchHit {
  sourceId: string;
  source: string;
  text: string;
  distance: number;
}

export interface ReindexResult {
  sources: number;
  chunks: number;
  ms: number;
}
