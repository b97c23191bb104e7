/**
 * stream: a 2,000-token reply at full speed from the Ollama test server, read through ChatService (engine
 * admission, prompt assembly, LocalProcessor on the provider's undici agent, transcript journal) and through a
 * bare `ollama` client (its own undici agent, the very request body ChatService sent last) in one run.
 *
 * A round runs PAIRS pairs (bare, ChatService), alternating which goes first; each run starts after a short pause
 * so the previous one's fsync and socket work are done. The time of a run is from the call to the last token:
 * for ChatService it includes admission, saving the designer's message and assembly (saving the reply comes after).
 *   stream.throughput_ratio: per round, the bare client's best time ÷ ChatService's best time (on a shared machine
 *     other processes only ever add time, so the best of a few runs is the least disturbed); median over rounds,
 *     target >= 0.95.
 *   stream.added_p99_ms: per pair, p99 of (receive − server send) per token through ChatService minus the same for
 *     the bare client; median over pairs, target <= 1 ms.
 *   stream.turn_overhead_ms (no target): per round, ChatService's best time minus the bare client's; the median.
 * The server runs in this process, so its send times (performance.now()) and the receive times share one clock.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Ollama, type Message } from 'ollama';
import { Agent, fetch as undiciFetch } from 'undici';
import { ExecutionEngine } from '../../electron/host/engine/execution-engine';
import { memoryLogger } from '../../electron/host/log/logger';
import { ChatService } from '../../electron/host/npc/chat-service';
import type { ChatEvents } from '../../electron/host/npc/chat-types';
import { NpcStore } from '../../electron/host/npc/npc-store';
import { TranscriptStore } from '../../electron/host/npc/transcript-store';
import { LocalProcessor } from '../../electron/host/processors/local/local-processor';
import { OllamaClientProvider } from '../../electron/host/processors/local/ollama-client-provider';
import { OllamaTestServer } from '../../electron/host/demo/ollama';
import { tempDir } from '../../test/support/temp-dir';
import { percentile, type BenchFigure } from '../report';

const TOKENS = 2000;
const ROUNDS = Number(process.env.STREAM_ROUNDS ?? 15);
const PAIRS = Number(process.env.STREAM_PAIRS ?? 5);
const WARMUP = 1;
const PAUSE_MS = 5;

interface Run {
  ms: number;
  latencies: number[];
}

const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );
const p99 = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    99,
  );
const best = (runs: Run[]) => Math.min(...runs.map((r) => r.ms));

/** Receive time of each token of the run being read; one plain callback for both sides. */
let received: number[] = [];
const onToken = () => void received.push(performance.now());

async function timed(server: OllamaTestServer, read: () => Promise<void>): Promise<Run> {
  await sleep(PAUSE_MS);
  received = [];
  const started = performance.now();
  await read();
  const sent = server.requests.at(-1)!.tokenSentAt;
  if (received.length !== TOKENS || sent.length !== TOKENS)
    throw new Error(`expected ${TOKENS} tokens, got ${received.length} received / ${sent.length} sent`);
  if (process.env.BENCH_DEBUG)
    console.log(`  first token ${(received[0]! - started).toFixed(2)} ms, stream ${(received.at(-1)! - received[0]!).toFixed(2)} ms`);
  return { ms: received.at(-1)! - started, latencies: received.map((t, i) => t - sent[i]!) };
}

export default async function stream(): Promise<BenchFigure[]> {
  const temp = await tempDir('npc-bench-stream-');
  const { logger } = memoryLogger('warn');
  const server = new OllamaTestServer({ switches: { replyTokens: TOKENS, tokenDelayMs: 0 } });
  const url = await server.start();
  const client = new OllamaClientProvider({ url, logger });
  await client.initialize();
  const local = new LocalProcessor({ client, logger });
  const npcs = new NpcStore({ dir: join(temp.path, 'npcs'), logger });
  const transcripts = new TranscriptStore({ dir: join(temp.path, 'transcripts'), logger });
  await npcs.initialize();
  await transcripts.initialize();
  const engine = new ExecutionEngine({ logger });
  const events: ChatEvents = { token: onToken, done: () => {}, error: () => {} };
  const chat = new ChatService({ engine, npcs, transcripts, events, logger, lore: null, processorFor: () => local });
  const npc = await npcs.save({ card: { name: 'Bench', description: 'You are Bench, who talks at length.' } });

  const agent = new Agent();
  const fetch = ((input: string, init?: object) =>
    undiciFetch(input, { ...init, dispatcher: agent })) as unknown as typeof globalThis.fetch;
  const bare = new Ollama({ host: url, fetch });
  /** What ChatService sent last: the bare client sends the same body. */
  let lastBody: { model: string; messages: Message[]; options?: Record<string, unknown> } | undefined;

  const viaChatService = () =>
    timed(server, async () => {
      const outcome = await (await chat.send(npc.id, 'Talk.')).finished;
      if (outcome.error) throw new Error(`ChatService turn failed: ${outcome.error}`);
      lastBody = server.requests.at(-1)!.body as typeof lastBody;
    });
  const viaBare = () =>
    timed(server, async () => {
      const { model, messages, options } = lastBody!;
      for await (const part of await bare.chat({ model, messages, options, stream: true })) {
        if (part.message.content) onToken();
      }
    });

  try {
    const ratios: number[] = [];
    const overhead: number[] = [];
    const added: number[] = [];
    for (let round = 0; round < WARMUP + ROUNDS; round++) {
      const b: Run[] = [];
      const c: Run[] = [];
      for (let pair = 0; pair < PAIRS; pair++) {
        // The bare client needs ChatService's body, so the very first pair starts with ChatService.
        if ((round + pair) % 2 === 1) {
          b.push(await viaBare());
          c.push(await viaChatService());
        } else {
          c.push(await viaChatService());
          b.push(await viaBare());
        }
        if (round >= WARMUP) added.push(p99(c.at(-1)!.latencies) - p99(b.at(-1)!.latencies));
      }
      if (round < WARMUP) continue;
      ratios.push(best(b) / best(c));
      overhead.push(best(c) - best(b));
      if (process.env.BENCH_DEBUG)
        console.log(
          `round ${round}: bare ${b.map((r) => r.ms.toFixed(1)).join('/')} ms, ChatService ${c.map((r) => r.ms.toFixed(1)).join('/')} ms`,
        );
    }
    return [
      { name: 'stream.throughput_ratio', value: median(ratios), unit: 'x', target: { op: '>=', value: 0.95 } },
      { name: 'stream.added_p99_ms', value: median(added), unit: 'ms', target: { op: '<=', value: 1 } },
      { name: 'stream.turn_overhead_ms', value: median(overhead), unit: 'ms' },
    ];
  } finally {
    engine.stopAccepting();
    await engine.drain(1000);
    await local.cleanup();
    await client.cleanup();
    await agent.destroy();
    await Promise.all([npcs.cleanup(), transcripts.cleanup()]);
    await server.stop();
    await temp.remove();
  }
}
