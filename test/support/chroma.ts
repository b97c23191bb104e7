import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { ChromaLaunch } from '../../electron/host/knowledge/chroma-launch';
import { ChromaServer, type ChromaServerOptions } from '../../electron/host/knowledge/chroma-server';
import { KnowledgeStore, type KnowledgeStoreOptions } from '../../electron/host/knowledge/knowledge-store';
import { memoryLogger, type LogSinks } from '../../electron/host/log/logger';
import type { EmbeddingFunction } from '../../electron/host/processors/processor';

const REPO = join(__dirname, '..', '..');
let prefix: string[] | undefined;

/**
 * Runs scripts/prepare-chroma-loader.sh (idempotent, cached in .cache/chroma-loader, locked against
 * parallel workers) and returns the launch prefix it prints: a newer glibc loader on Debian 12, nothing
 * on a system whose glibc is new enough.
 */
export function chromaLaunchPrefix(): string[] {
  if (prefix) return prefix;
  const out = execFileSync('bash', [join(REPO, 'scripts', 'prepare-chroma-loader.sh'), '--json'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 300_000,
  }).trim();
  prefix = out ? (JSON.parse(out) as string[]) : [];
  return prefix;
}

export function testChromaLaunch(): ChromaLaunch {
  return { prefix: chromaLaunchPrefix() };
}

/**
 * Deterministic embeddings from hashed word features (dimension 384 by default), L2-normalised: texts that
 * share words are near, unrelated texts are far. `delayMs` slows each call, to catch an ingest mid-way.
 */
export class HashedWordEmbedding implements EmbeddingFunction {
  calls = 0;
  constructor(
    readonly model = 'test:hashed-words',
    readonly dimension = 384,
    private readonly delayMs = 0,
  ) {}

  async embed(texts: string[]): Promise<number[][]> {
    this.calls++;
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    return texts.map((t) => hashedVector(t, this.dimension));
  }
}

export function hashedVector(text: string, dimension: number): number[] {
  const v = new Array<number>(dimension).fill(0);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const h = createHash('sha1').update(word).digest();
    const index = h.readUInt32LE(0) % dimension;
    v[index]! += h[4]! & 1 ? 1 : -1;
  }
  const norm = Math.hypot(...v);
  if (norm === 0) {
    v[0] = 1;
    return v;
  }
  return v.map((x) => x / norm);
}

export interface KnowledgeHarness {
  server: ChromaServer;
  store: KnowledgeStore;
  logs: LogSinks;
  port: number;
  /** Store, then server: the shutdown order. */
  close(): Promise<void>;
}

/** An embedded Chroma server (own launcher, `dir`/chroma) and a knowledge store (`dir`/knowledge) on it. */
export async function startKnowledge(
  dir: string,
  options: {
    embedder?: EmbeddingFunction;
    npcs?: string[];
    server?: Partial<ChromaServerOptions>;
    store?: Partial<KnowledgeStoreOptions>;
  } = {},
): Promise<KnowledgeHarness> {
  const logs = memoryLogger();
  const server = new ChromaServer({
    dataDir: join(dir, 'chroma'),
    logger: logs.logger,
    launch: testChromaLaunch(),
    stopGraceMs: 300,
    ...options.server,
  });
  await server.initialize();
  const npcs = options.npcs;
  const store = new KnowledgeStore({
    endpoint: server,
    embedder: options.embedder ?? new HashedWordEmbedding(),
    dataDir: join(dir, 'knowledge'),
    npcExists: (id) => !npcs || npcs.includes(id),
    logger: logs.logger,
    ...options.store,
  });
  await store.initialize();
  return {
    server,
    store,
    logs,
    port: Number(new URL(server.url()).port),
    close: async () => {
      await store.cleanup();
      await server.cleanup();
    },
  };
}
