import { mkdir } from 'node:fs/promises';
import { ChromaConnectionError } from 'chromadb';
import { join } from 'node:path';
import { ID_PATTERN, LIMITS } from '../../../shared/ids';
import type { Health } from '../../../shared/health';
import { healthNow, type Provider } from '../lifecycle/provider';
import { withTimeout } from '../lifecycle/timeout';
import type { Logger } from '../log/logger';
import type { EmbeddingFunction } from '../processors/processor';
import { ChromaConnection } from './chroma-connection';
import { ChromaUnavailableError, type ChromaEndpoint } from './chroma-endpoint';
import { chunkText, resolveChunkOptions, type ChunkOptions } from './chunker';
import { checkCompatible, embedChecked } from './embedding-batch';
import { KeyedLock } from './keyed-lock';
import { KnowledgeClosedError, KnowledgeInputError, UnknownNpcError, UnknownSourceError } from './knowledge-errors';
import { LoreCollections } from './lore-collections';
import { collectionPrefix, LoreManifest, type SourceEntry } from './lore-manifest';
import { reindexNpc } from './lore-reindex';
import { writeSource, type IngestProgress, type LoreWriteContext } from './lore-writer';
import { toLoreHits, type LoreHit } from './lore-hit';
import { readLoreFile } from './source-file';
import { errorMessage } from '../../../shared/errors';

export interface KnowledgeStoreOptions {
  endpoint: ChromaEndpoint;
  embedder: EmbeddingFunction;
  /** Folder for the lore manifest (which sources each NPC has, complete or not). */
  dataDir: string;
  /** Whether an NPC exists (the NPC store's answer); lore for other ids is refused. */
  npcExists: (npcId: string) => boolean;
  logger: Logger;
  chunking?: ChunkOptions;
  /** Chunks embedded and stored per request. */
  batchSize?: number;
  maxK?: number;
  requestTimeoutMs?: number;
  /** Bound on clear() during cleanup(). */
  clearTimeoutMs?: number;
}

export interface IngestOptions {
  /** Scratch entries (previews, test data) are what clear() removes; a designer's lore never is. */
  scratch?: boolean;
  onProgress?: (progress: IngestProgress) => void;
  signal?: AbortSignal;
}

export type { LoreHit };

export interface LoreSource extends SourceEntry {
  source: string;
}

/** Each NPC's lore in Chroma: ingest, list, delete, query, reindex; clear() drops only scratch entries. */
/** One NPC's lore collection as the Resources panel shows it. */
export interface CollectionFigures {
  npcId: string;
  collection: string;
  chunks: number;
  model: string | null;
  dimension: number | null;
}

export class KnowledgeStore implements Provider {
  readonly id = 'knowledge-store';
  readonly kind = 'knowledge-store';
  readonly phase = 'stores' as const;

  private manifest: LoreManifest | null = null;
  private connection: ChromaConnection | null = null;
  private readonly collections = new LoreCollections(() => this.connect());
  private readonly locks = new KeyedLock();
  private embedder: EmbeddingFunction;
  private readonly logger: Logger;
  private readonly batchSize: number;
  private readonly maxK: number;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: KnowledgeStoreOptions) {
    this.embedder = options.embedder;
    this.logger = options.logger.child({ provider: this.id });
    this.batchSize = options.batchSize ?? 64;
    this.maxK = options.maxK ?? 50;
    resolveChunkOptions(options.chunking);
  }

  async initialize(): Promise<void> {
    if (this.manifest) return;
    await mkdir(this.options.dataDir, { recursive: true });
    this.manifest = await LoreManifest.load(join(this.options.dataDir, 'lore-manifest.json'));
    const incomplete = this.manifest.npcIds().flatMap((npc) =>
      Object.entries(this.manifest!.npc(npc)!.sources)
        .filter(([, s]) => s.state === 'incomplete')
        .map(([source]) => `${npc}/${source}`),
    );
    if (incomplete.length)
      this.logger.warn(
        { incomplete },
        `${incomplete.length} lore source(s) were left incomplete by an interrupted ingest; ingest them again`,
      );
  }

  /** The model used from now on; collections built with another one need reindex(). */
  setEmbeddingFunction(embedder: EmbeddingFunction): void {
    this.embedder = embedder;
  }

  async ingestText(npcId: string, source: string, text: string, options: IngestOptions = {}): Promise<{ source: string; chunks: number }> {
    const manifest = this.ready();
    this.checkNpc(npcId);
    checkSource(source);
    if (typeof text !== 'string' || !text.trim())
      throw new KnowledgeInputError(`lore source "${source}" is empty: there is no text to store`);
    if (text.length > LIMITS.sourceText)
      throw new KnowledgeInputError(`lore source "${source}" is ${text.length} characters, over the ${LIMITS.sourceText} limit`);
    const chunks = chunkText(text, this.options.chunking);
    if (!chunks.length) throw new KnowledgeInputError(`lore source "${source}" has headings but no text under them`);
    return this.locks.run(npcId, async () => {
      const count = await this.reach(() =>
        writeSource(this.writeContext(manifest), {
          npcId,
          source,
          chunks,
          scratch: options.scratch ?? false,
          origin: 'text',
          onProgress: options.onProgress,
          signal: options.signal,
        }),
      );
      this.logger.info({ npcId, source, chunks: count }, 'lore source ingested');
      return { source, chunks: count };
    });
  }

  /** A .txt or .md file; the source name is the file name unless given. */
  async ingestFile(
    npcId: string,
    path: string,
    options: IngestOptions & { source?: string } = {},
  ): Promise<{ source: string; chunks: number }> {
    this.ready();
    this.checkNpc(npcId);
    const { name, text } = await readLoreFile(path);
    if (!text.trim()) throw new KnowledgeInputError(`${path}: the file is empty: there is no text to store`);
    return this.ingestText(npcId, options.source ?? name, text, options);
  }

  listSources(npcId: string): LoreSource[] {
    const manifest = this.ready();
    this.checkNpc(npcId);
    const sources = manifest.npc(npcId)?.sources ?? {};
    return Object.entries(sources)
      .map(([source, entry]) => ({ source, ...entry }))
      .sort((a, b) => a.source.localeCompare(b.source));
  }

  async deleteSource(npcId: string, source: string): Promise<void> {
    const manifest = this.ready();
    this.checkNpc(npcId);
    return this.locks.run(npcId, async () => {
      const npc = manifest.npc(npcId);
      const entry = npc?.sources[source];
      if (!npc || !entry) throw new UnknownSourceError(npcId, source);
      await manifest.setSource(npcId, source, { ...entry, state: 'incomplete' });
      await this.reach(async () => {
        const target = await this.collections.open(npc.collection);
        await target?.collection.delete({ where: { source: { $eq: source } } });
      });
      await manifest.removeSource(npcId, source);
      this.logger.info({ npcId, source }, 'lore source deleted');
    });
  }

  /**
   * Removes all of an NPC's lore (when the NPC is deleted): every generation of its Chroma collection, then its
   * manifest entry, so a new NPC with the same id starts without lore. The NPC need not exist any more.
   */
  async deleteNpc(npcId: string): Promise<{ collections: number; sources: number }> {
    const manifest = this.ready();
    if (typeof npcId !== 'string' || !ID_PATTERN.test(npcId)) throw new UnknownNpcError(String(npcId));
    return this.locks.run(npcId, async () => {
      const sources = Object.keys(manifest.npc(npcId)?.sources ?? {}).length;
      const names = await this.reach(() => this.collections.namesStartingWith(collectionPrefix(npcId)));
      const ours = names.filter((name) => /^g\d+$/.test(name.slice(collectionPrefix(npcId).length)));
      for (const name of ours) await this.reach(() => this.collections.drop(name));
      await manifest.removeNpc(npcId);
      this.logger.info({ npcId, collections: ours.length, sources }, 'lore of a deleted NPC removed');
      return { collections: ours.length, sources };
    });
  }

  async query(npcId: string, text: string, k: number): Promise<LoreHit[]> {
    const manifest = this.ready();
    this.checkNpc(npcId);
    if (typeof text !== 'string' || !text.trim()) throw new KnowledgeInputError('the lore query is empty');
    if (!Number.isInteger(k) || k < 1 || k > this.maxK)
      throw new KnowledgeInputError(`k must be an integer from 1 to ${this.maxK}, got ${k}`);
    const npc = manifest.npc(npcId);
    const target = npc ? await this.reach(() => this.collections.open(npc.collection)) : null;
    if (!target) return [];
    const embedder = this.embedder;
    checkCompatible(npcId, target, embedder.model, null);
    const [vector] = await embedChecked(embedder, [text]);
    checkCompatible(npcId, target, embedder.model, vector!.length);
    const result = await this.reach(() => target.collection.query({ queryEmbeddings: [vector!], nResults: k }));
    return toLoreHits(result);
  }

  /** The embedding model and dimension the NPC's lore collection was built with; null before any lore. */
  async collectionModel(npcId: string): Promise<{ model: string; dimension: number } | null> {
    const manifest = this.ready();
    this.checkNpc(npcId);
    const npc = manifest.npc(npcId);
    const target = npc ? await this.reach(() => this.collections.open(npc.collection)) : null;
    return target ? { model: target.model, dimension: target.dimension } : null;
  }

  /** The model new lore is embedded with. */
  get embeddingModel(): string {
    return this.embedder.model;
  }

  /** Re-embeds all of an NPC's lore with the current model. */
  async reindex(npcId: string, onProgress?: (progress: IngestProgress) => void): Promise<{ sources: number; chunks: number }> {
    const manifest = this.ready();
    this.checkNpc(npcId);
    return this.locks.run(npcId, async () => {
      const done = await this.reach(() => reindexNpc(this.writeContext(manifest), npcId, onProgress));
      this.logger.info({ npcId, ...done, model: this.embedder.model }, 'lore reindexed');
      return done;
    });
  }

  /** Removes scratch entries (metadata scratch: true) and the in-memory cache; a designer's lore stays. */
  async clear(): Promise<void> {
    const manifest = this.manifest;
    if (!manifest || this.closing) return;
    let removed = 0;
    for (const npcId of manifest.npcIds()) {
      await this.locks.run(npcId, async () => {
        const npc = manifest.npc(npcId)!;
        const scratch = Object.entries(npc.sources).filter(([, s]) => s.scratch);
        if (!scratch.length) return;
        const target = await this.collections.open(npc.collection);
        await target?.collection.delete({ where: { scratch: { $eq: true } } });
        for (const [source] of scratch) await manifest.removeSource(npcId, source);
        removed += scratch.length;
      });
    }
    this.collections.forget();
    this.logger.info({ removedSources: removed }, 'knowledge store cleared of scratch entries');
  }

  /** Clears the cache, closes the HTTP agent (and its sockets), drops the client. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.collections.forget();
      const connection = this.connection;
      this.connection = null;
      await connection?.close();
      await this.manifest?.flush();
      this.manifest = null;
    })();
    return this.closing;
  }

  /** Shutdown step "stores": clear scratch entries, then close, even when clearing fails. */
  async cleanup(): Promise<void> {
    try {
      // A hung server must not hold up shutdown: the agent is closed (and its sockets destroyed) regardless.
      if (!this.closing) await withTimeout(this.clear(), this.options.clearTimeoutMs ?? 1000, 'clearing scratch lore');
    } catch (err) {
      this.logger.warn(`could not clear scratch lore before closing: ${errorMessage(err)}`);
    } finally {
      await this.close();
    }
  }

  async healthCheck(): Promise<Health> {
    const connection = this.connection;
    const resources = {
      openSockets: connection?.openSockets() ?? 0,
      cachedCollections: this.collections.cachedCount,
      npcs: this.manifest?.npcIds().length ?? 0,
    };
    if (this.closing || !this.manifest) return healthNow('stopped', resources);
    const started = performance.now();
    try {
      await this.connect().client.heartbeat();
      const latencyMs = Math.round((performance.now() - started) * 10) / 10;
      const collections = await this.collectionFigures();
      return healthNow('healthy', { ...resources, openSockets: this.connection?.openSockets() ?? 0, collections }, { latencyMs });
    } catch (err) {
      return healthNow('unhealthy', resources, { lastError: errorMessage(err) });
    }
  }

  /** Per NPC: its collection, chunks, and the embedding model and dimension it was built with (cached opens). */
  private async collectionFigures(): Promise<CollectionFigures[]> {
    const manifest = this.manifest;
    if (!manifest) return [];
    const out: CollectionFigures[] = [];
    for (const npcId of manifest.npcIds()) {
      const npc = manifest.npc(npcId);
      if (!npc) continue;
      const chunks = this.listSources(npcId).reduce((n, src) => n + src.chunks, 0);
      let built: { model: string; dimension: number } | null = null;
      try {
        built = await this.collections.open(npc.collection);
      } catch {
        /* not reachable this moment: model and dimension read unknown */
      }
      out.push({ npcId, collection: npc.collection, chunks, model: built?.model ?? null, dimension: built?.dimension ?? null });
    }
    return out;
  }

  /** The client for the endpoint's current URL; a server that came back on another port gets a new one. */
  private connect(): ChromaConnection {
    if (this.closing) throw new KnowledgeClosedError();
    const url = this.options.endpoint.url();
    if (this.connection?.baseUrl !== url) {
      void this.connection?.close();
      this.collections.forget();
      this.connection = new ChromaConnection(url, { requestTimeoutMs: this.options.requestTimeoutMs });
    }
    return this.connection;
  }

  /** chromadb's connection error talks about browsers and CORS; say what happened here instead. */
  private async reach<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof ChromaConnectionError)) throw err;
      throw new ChromaUnavailableError(
        `no answer from the Chroma server at ${this.connection?.baseUrl ?? this.options.endpoint.url()} (it may be restarting)`,
      );
    }
  }

  private writeContext(manifest: LoreManifest): LoreWriteContext {
    return { manifest, collections: this.collections, embedder: this.embedder, batchSize: this.batchSize };
  }

  private ready(): LoreManifest {
    if (this.closing) throw new KnowledgeClosedError();
    if (!this.manifest) throw new Error('the knowledge store is not initialized');
    return this.manifest;
  }

  private checkNpc(npcId: string): void {
    if (typeof npcId !== 'string' || !ID_PATTERN.test(npcId) || !this.options.npcExists(npcId)) throw new UnknownNpcError(String(npcId));
  }
}

function checkSource(source: string): void {
  if (typeof source !== 'string' || !source.trim()) throw new KnowledgeInputError('a lore source needs a name');
  if (source.length > LIMITS.sourceName) throw new KnowledgeInputError(`lore source name is over ${LIMITS.sourceName} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(source)) throw new KnowledgeInputError('lore source names cannot contain control characters');
}
