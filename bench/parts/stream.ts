/**
 * stream: a 2,000-token reply at full speed from the Ollama test server, read through LocalProcessor and through a
 * bare `ollama` client (same undici transport) in one run, interleaved round by round.
 *   stream.throughput_ratio: processor tokens/s ÷ bare tokens/s, the median of per-round ratios (pairing rounds
 *   cancels slow drifts in machine load), target >= 0.95
 *   stream.added_p99_ms: per round, p99 of (receive − server send) per token through the processor minus the same
 *   for the bare client; the median over rounds, target <= 1 ms.
 * The server runs in this process, so its send times (performance.now()) and the receive times share one clock.
 * (The lead will switch the processor side to go through ChatService.)
 */
import { Ollama } from 'ollama';
import { Agent, fetch as undiciFetch } from 'undici';
import { LocalProcessor } from '../../electron/host/processors/local/local-processor';
import { OllamaClientProvider } from '../../electron/host/processors/local/ollama-client-provider';
import { OllamaTestServer } from '../../test/servers/ollama';
import { percentile, type BenchFigure } from '../report';

const TOKENS = 2000;
const ROUNDS = Number(process.env.STREAM_ROUNDS ?? 31);
const WARMUP = 2;

interface Run {
  ms: number;
  latencies: number[];
}

async function timed(server: OllamaTestServer, read: (onToken: () => void) => Promise<void>): Promise<Run> {
  const received: number[] = [];
  const started = performance.now();
  await read(() => received.push(performance.now()));
  const ms = performance.now() - started;
  const sent = server.requests.at(-1)!.tokenSentAt;
  if (received.length !== TOKENS || sent.length !== TOKENS) throw new Error(`expected ${TOKENS} tokens, got ${received.length} received / ${sent.length} sent`);
  return { ms, latencies: received.map((t, i) => t - sent[i]!) };
}

const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
const p99 = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 99);

export default async function stream(): Promise<BenchFigure[]> {
  const server = new OllamaTestServer({ switches: { replyTokens: TOKENS, tokenDelayMs: 0 } });
  const url = await server.start();
  const client = new OllamaClientProvider({ url });
  await client.initialize();
  const processor = new LocalProcessor({ client });
  const agent = new Agent();
  const fetch = ((input: string, init?: object) => undiciFetch(input, { ...init, dispatcher: agent })) as unknown as typeof globalThis.fetch;
  const bare = new Ollama({ host: url, fetch });
  const request = { npcId: 'bench', model: 'llama3.2', system: 'You are Bench.', messages: [{ role: 'user' as const, content: 'Talk.' }] };

  const viaBare = () =>
    timed(server, async (onToken) => {
      for await (const part of await bare.chat({ model: request.model, messages: [{ role: 'system', content: request.system }, ...request.messages], stream: true })) {
        if (part.message.content) onToken();
      }
    });
  const viaProcessor = () =>
    timed(server, async (onToken) => {
      for await (const event of processor.chat(request, new AbortController().signal)) {
        if (event.type === 'token') onToken();
      }
    });

  try {
    const ratios: number[] = [];
    const added: number[] = [];
    for (let round = 0; round < WARMUP + ROUNDS; round++) {
      // Alternate which goes first so neither always runs on a warmer heap.
      let b: Run;
      let p: Run;
      if (round % 2 === 0) {
        b = await viaBare();
        p = await viaProcessor();
      } else {
        p = await viaProcessor();
        b = await viaBare();
      }
      if (round < WARMUP) continue;
      ratios.push(b.ms / p.ms);
      if (process.env.BENCH_DEBUG) console.log(`bare ${b.ms.toFixed(1)} ms, processor ${p.ms.toFixed(1)} ms, p99 ${p99(b.latencies).toFixed(2)} vs ${p99(p.latencies).toFixed(2)}`);
      added.push(p99(p.latencies) - p99(b.latencies));
    }
    return [
      { name: 'stream.throughput_ratio', value: median(ratios), unit: 'x', target: { op: '>=', value: 0.95 } },
      { name: 'stream.added_p99_ms', value: median(added), unit: 'ms', target: { op: '<=', value: 1 } },
    ];
  } finally {
    await processor.cleanup();
    await client.cleanup();
    await agent.destroy();
    await server.stop();
  }
}
