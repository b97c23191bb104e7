import { ChromaNotFoundError, type Collection } from 'chromadb';
import type { ChromaConnection } from './chroma-connection';

/** An open Chroma collection with the embedding model and dimension it was built with. */
export interface LoreCollection {
  name: string;
  collection: Collection;
  model: string;
  dimension: number;
}

/** Keys of the collection metadata the store writes. */
const MODEL_KEY = 'embedding_model';
const DIMENSION_KEY = 'embedding_dimension';

/**
 * Opens, creates and drops the per-NPC lore collections, and caches open handles so a query costs one
 * request. No embedding function is ever given to chromadb: vectors are always passed in, so it never
 * loads or downloads a default model.
 */
export class LoreCollections {
  private readonly cache = new Map<string, LoreCollection>();

  constructor(private readonly connection: () => ChromaConnection) {}

  get cachedCount(): number {
    return this.cache.size;
  }

  /** The collection, or null when it does not exist. */
  async open(name: string): Promise<LoreCollection | null> {
    const cached = this.cache.get(name);
    if (cached) return cached;
    let collection: Collection;
    try {
      collection = await this.connection().client.getCollection({ name });
    } catch (err) {
      if (err instanceof ChromaNotFoundError || /does not exist|not found/i.test((err as Error).message)) return null;
      throw err;
    }
    return this.remember(name, collection);
  }

  async create(name: string, npcId: string, model: string, dimension: number): Promise<LoreCollection> {
    const collection = await this.connection().client.getOrCreateCollection({
      name,
      embeddingFunction: null,
      configuration: { hnsw: { space: 'cosine' } },
      metadata: { npc_id: npcId, [MODEL_KEY]: model, [DIMENSION_KEY]: dimension, created_by: 'npc-studio' },
    });
    return this.remember(name, collection);
  }

  async drop(name: string): Promise<void> {
    this.cache.delete(name);
    try {
      await this.connection().client.deleteCollection({ name });
    } catch (err) {
      if (err instanceof ChromaNotFoundError || /does not exist|not found/i.test((err as Error).message)) return;
      throw err;
    }
  }

  /** Names of every collection on the server that starts with `prefix` (paged: the server lists 100 at a time). */
  async namesStartingWith(prefix: string): Promise<string[]> {
    const names: string[] = [];
    for (let offset = 0; ; offset += 100) {
      const page = await this.connection().client.listCollections({ limit: 100, offset });
      names.push(...page.map((c) => c.name).filter((name) => name.startsWith(prefix)));
      if (page.length < 100) return names;
    }
  }

  forget(): void {
    this.cache.clear();
  }

  private remember(name: string, collection: Collection): LoreCollection {
    const meta = collection.metadata ?? {};
    const model = meta[MODEL_KEY];
    const dimension = meta[DIMENSION_KEY];
    if (typeof model !== 'string' || typeof dimension !== 'number') {
      throw new Error(`Chroma collection ${name} has no embedding model/dimension in its metadata: it was not created by the studio`);
    }
    const open = { name, collection, model, dimension };
    this.cache.set(name, open);
    return open;
  }
}
