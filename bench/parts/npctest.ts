/**
 * npctest: NPC behaviour test runs (electron/host/suites) against the shipped demo Ollama-protocol server.
 *   npctest.pool_speedup: the demo NPC's suite (6 cases, 7 turns) × SAMPLES samples on a server-bound pool (each
 *     server streams REPLY_TOKENS tokens TOKEN_DELAY_MS apart, concurrency 1 per endpoint): wall time on one endpoint ÷
 *     wall time on two, best of PAIRS each per round (alternating which goes first); median over rounds, target >= 1.8.
 *   npctest.runner_overhead_ratio: the suite (1 sample, one endpoint) through the runner ÷ the same player turns sent
 *     through ChatService back to back (a case's turns in order, each turn awaited), same server; best of PAIRS each per
 *     round, median over rounds, target <= 1.05. ChatService also writes the transcript; the runner writes its run file.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEMO_NPC_ID, demoNpcDraft, demoSuite } from '../../electron/host/demo/demo-npc';
import { OllamaTestServer } from '../../electron/host/demo/ollama';
import { ExecutionEngine } from '../../electron/host/engine/execution-engine';
import { memoryLogger } from '../../electron/host/log/logger';
import { ChatService } from '../../electron/host/npc/chat-service';
import { NpcStore } from '../../electron/host/npc/npc-store';
import { TranscriptStore } from '../../electron/host/npc/transcript-store';
import { LocalProcessor } from '../../electron/host/processors/local/local-processor';
import { OllamaClientProvider } from '../../electron/host/processors/local/ollama-client-provider';
import { ollamaEndpoint } from '../../electron/host/suites/pool-endpoints';
import { SuiteRunner } from '../../electron/host/suites/suite-runner';
import { SuiteStore } from '../../electron/host/suites/suite-store';
import { tempDir } from '../../test/support/temp-dir';
import { percentile, type BenchFigure } from '../report';

const ROUNDS = Number(process.env.NPCTEST_ROUNDS ?? 5);
const SAMPLES = Number(process.env.NPCTEST_SAMPLES ?? 2);
const PAIRS = 2;
const TOKEN_DELAY_MS = 10;
const REPLY_TOKENS = 12;

const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

async function served(logger: ReturnType<typeof memoryLogger>['logger']) {
  const server = new OllamaTestServer({ switches: { tokenDelayMs: TOKEN_DELAY_MS, replyTokens: REPLY_TOKENS } });
  await server.start();
  const client = new OllamaClientProvider({ url: server.url, logger });
  await client.initialize();
  const processor = new LocalProcessor({ client, logger });
  return { server, client, processor, endpoint: ollamaEndpoint(client, processor, 1) };
}

export default async function npctest(): Promise<BenchFigure[]> {
  const temp = await tempDir('npc-bench-npctest-');
  const { logger } = memoryLogger('warn');
  const a = await served(logger);
  const b = await served(logger);
  const suites = new SuiteStore({ dir: join(temp.path, 'suites'), logger });
  const npcs = new NpcStore({ dir: join(temp.path, 'npcs'), logger });
  const transcripts = new TranscriptStore({ dir: join(temp.path, 'transcripts'), logger });
  await Promise.all([suites.initialize(), npcs.initialize(), transcripts.initialize()]);
  await npcs.save(demoNpcDraft());
  const suite = await suites.save(demoSuite());
  const engine = new ExecutionEngine({ logger });
  const runner = (endpoints: (typeof a.endpoint)[]) =>
    new SuiteRunner({
      engine,
      npcs,
      suites,
      lorebooks: null,
      knowledge: null,
      endpoints: () => endpoints,
      usage: null,
      logger,
      progress: () => {},
    });
  const chat = new ChatService({
    engine,
    npcs,
    transcripts,
    logger,
    lore: null,
    processorFor: () => a.processor,
    events: { token: () => {}, done: () => {}, error: () => {} },
  });

  const timed = async (work: () => Promise<void>) => {
    await sleep(5);
    const started = performance.now();
    await work();
    return performance.now() - started;
  };
  const suiteRun = (endpoints: (typeof a.endpoint)[], samples: number) =>
    timed(async () => {
      const run = await (
        await runner(endpoints).start({ npcId: DEMO_NPC_ID, backends: [{ processor: 'local', model: 'llama3.2' }], samples })
      ).finished;
      if (run.state !== 'complete' || run.totals.errors)
        throw new Error(`the bench run did not complete cleanly (${run.state}, ${run.totals.errors} errors)`);
    });
  const chatTurns = () =>
    timed(async () => {
      for (const c of suite.cases) {
        for (const turn of c.turns) {
          const outcome = await (await chat.send(DEMO_NPC_ID, turn.player)).finished;
          if (outcome.error) throw new Error(`ChatService turn failed: ${outcome.error}`);
        }
      }
    });

  try {
    await suiteRun([a.endpoint], 1); // warm-up: connections, modules
    await chatTurns();
    const speedups: number[] = [];
    const overheads: number[] = [];
    // Per round PAIRS runs of each side, alternating which goes first; the best of each (on a shared machine other
    // processes only ever add time), then the median over rounds.
    for (let round = 0; round < ROUNDS; round++) {
      const one: number[] = [];
      const two: number[] = [];
      const viaChat: number[] = [];
      const viaRunner: number[] = [];
      for (let pair = 0; pair < PAIRS; pair++) {
        const flip = (round + pair) % 2 === 1;
        if (flip) two.push(await suiteRun([a.endpoint, b.endpoint], SAMPLES));
        one.push(await suiteRun([a.endpoint], SAMPLES));
        if (!flip) two.push(await suiteRun([a.endpoint, b.endpoint], SAMPLES));
        if (flip) viaRunner.push(await suiteRun([a.endpoint], 1));
        viaChat.push(await chatTurns());
        if (!flip) viaRunner.push(await suiteRun([a.endpoint], 1));
      }
      speedups.push(Math.min(...one) / Math.min(...two));
      overheads.push(Math.min(...viaRunner) / Math.min(...viaChat));
      if (process.env.BENCH_DEBUG)
        console.log(`round ${round}: speedup ${speedups.at(-1)!.toFixed(2)}, overhead ${overheads.at(-1)!.toFixed(3)}`);
    }
    return [
      { name: 'npctest.pool_speedup', value: median(speedups), unit: 'x', target: { op: '>=', value: 1.8 } },
      { name: 'npctest.runner_overhead_ratio', value: median(overheads), unit: 'x', target: { op: '<=', value: 1.05 } },
    ];
  } finally {
    engine.stopAccepting();
    await engine.drain(1000);
    for (const s of [a, b]) {
      await s.processor.cleanup();
      await s.client.cleanup();
      await s.server.stop();
    }
    await Promise.all([suites.cleanup(), npcs.cleanup(), transcripts.cleanup()]);
    await temp.remove();
  }
}
