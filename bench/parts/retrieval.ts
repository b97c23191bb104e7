/*
 * Retrieval through the KnowledgeStore against a bare chromadb client, side by side on the same embedded
 * Chroma server in one run: 10,000 chunks of dimension 384 (hashed-word vectors, deterministic), then
 * interleaved queries (embed + query, k = 5) on both paths. Also the ingest throughput of the store.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChromaClient } from 'chromadb';
import { ChromaServer } from '../../electron/host/knowledge/chroma-server';
import { KnowledgeStore } from '../../electron/host/knowledge/knowledge-store';
import { memoryLogger } from '../../electron/host/log/logger';
import { HashedWordEmbedding, chromaLaunchPrefix } from '../../test/support/chroma';
import { percentile, seededRandom, type BenchFigure } from '../report';

const CHUNKS = 10_000;
const SOURCES = 10;
const QUERIES = 400;
const WARMUP = 40;
const K = 5;
const NPC = 'bench-npc';

const WORDS = Array.from({ length: 2000 }, (_, i) => `w${i.toString(36)}`);

function sentence(random: () => number, words: number): string {
  return Array.from({ length: words }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
}

function sourceText(random: () => number, chunks: number, offset: number): string {
  return Array.from({ length: chunks }, (_, i) => `# Entry ${offset + i}\n\n${sentence(random, 24)}.`).join('\n\n');
}

export default async function retrieval(): Promise<BenchFigure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'npc-bench-retrieval-'));
  const { logger } = memoryLogger('info');
  const embedder = new HashedWordEmbedding('bench:hashed-words', 384);
  const server = new ChromaServer({ dataDir: join(dir, 'chroma'), logger, launch: { prefix: chromaLaunchPrefix() } });
  const store = new KnowledgeStore({
    endpoint: server,
    embedder,
    dataDir: join(dir, 'knowledge'),
    npcExists: () => true,
    logger,
    batchSize: 250,
  });
  try {
    await server.initialize();
    await store.initialize();
    const random = seededRandom(42);

    const perSource = CHUNKS / SOURCES;
    const ingestStart = performance.now();
    for (let s = 0; s < SOURCES; s++) {
      const { chunks } = await store.ingestText(NPC, `source-${s}`, sourceText(random, perSource, s * perSource));
      if (chunks !== perSource) throw new Error(`source-${s} gave ${chunks} chunks, expected ${perSource}`);
    }
    const ingestSeconds = (performance.now() - ingestStart) / 1000;

    const url = new URL(server.url());
    const bare = new ChromaClient({ host: url.hostname, port: Number(url.port) });
    const collection = await bare.getCollection({ name: `lore-${NPC}-g0` });
    if ((await collection.count()) !== CHUNKS) throw new Error('the collection does not hold every chunk');

    const viaStore = async (text: string) => store.query(NPC, text, K);
    const viaBare = async (text: string) => {
      const [vector] = await embedder.embed([text]);
      return collection.query({ queryEmbeddings: [vector!], nResults: K });
    };
    const storeMs: number[] = [];
    const bareMs: number[] = [];
    for (let i = 0; i < WARMUP + QUERIES; i++) {
      const text = sentence(random, 6);
      // Alternate which path goes first so neither gets a systematically warmer server.
      const pairs: Array<[(t: string) => Promise<unknown>, number[]]> =
        i % 2 === 0
          ? [
              [viaStore, storeMs],
              [viaBare, bareMs],
            ]
          : [
              [viaBare, bareMs],
              [viaStore, storeMs],
            ];
      for (const [run, into] of pairs) {
        const t0 = performance.now();
        await run(text);
        if (i >= WARMUP) into.push(performance.now() - t0);
      }
    }
    storeMs.sort((a, b) => a - b);
    bareMs.sort((a, b) => a - b);
    const p50 = [percentile(storeMs, 50), percentile(bareMs, 50)] as const;
    const p95 = [percentile(storeMs, 95), percentile(bareMs, 95)] as const;
    return [
      { name: 'retrieval.p50_ratio', value: p50[0] / p50[1], unit: 'x', target: { op: '<=', value: 1.1 } },
      { name: 'retrieval.p95_ratio', value: p95[0] / p95[1], unit: 'x' },
      { name: 'retrieval.store_p50_ms', value: p50[0], unit: 'ms' },
      { name: 'retrieval.bare_p50_ms', value: p50[1], unit: 'ms' },
      { name: 'ingest.chunks_per_s', value: Math.round(CHUNKS / ingestSeconds), unit: 'chunks/s' },
    ];
  } finally {
    await store.cleanup();
    await server.cleanup();
    await rm(dir, { recursive: true, force: true });
  }
}
