import { join } from 'node:path';
import type { SuiteProgressEvent } from '../../shared/suite';
import { demoNpcDraft, demoSuite } from '../../electron/host/demo/demo-npc';
import { OllamaTestServer, type ModelSpec, type SwitchesPatch } from '../../electron/host/demo/ollama';
import { ExecutionEngine } from '../../electron/host/engine/execution-engine';
import { memoryLogger } from '../../electron/host/log/logger';
import { NpcStore } from '../../electron/host/npc/npc-store';
import type { Processor } from '../../electron/host/processors/processor';
import { LocalProcessor } from '../../electron/host/processors/local/local-processor';
import { OllamaClientProvider } from '../../electron/host/processors/local/ollama-client-provider';
import type { Endpoint } from '../../electron/host/suites/endpoint-pool';
import { ollamaEndpoint } from '../../electron/host/suites/pool-endpoints';
import { suiteCharxAppData } from '../../electron/host/suites/suite-app-data';
import { SuiteRunner, type SuiteRunnerOptions } from '../../electron/host/suites/suite-runner';
import { SuiteStore } from '../../electron/host/suites/suite-store';
import { UsageTracker } from '../../electron/host/usage/usage-tracker';
import { tempDir } from '../support/temp-dir';

/** One demo Ollama-protocol server with the studio's own client and processor on it, as a pool endpoint. */
export interface ServedEndpoint {
  server: OllamaTestServer;
  client: OllamaClientProvider;
  processor: LocalProcessor;
  endpoint: Endpoint;
}

export async function servedEndpoint(
  switches: SwitchesPatch = {},
  concurrency = 1,
  models?: readonly ModelSpec[],
): Promise<ServedEndpoint> {
  const server = new OllamaTestServer({ switches, keepRequests: 1000, ...(models ? { models } : {}) });
  await server.start();
  const client = new OllamaClientProvider({ url: server.url });
  await client.initialize();
  const processor = new LocalProcessor({ client });
  return { server, client, processor, endpoint: ollamaEndpoint(client, processor, concurrency) };
}

export interface SuiteRig {
  dataDir: string;
  engine: ExecutionEngine;
  npcs: NpcStore;
  suites: SuiteStore;
  usage: UsageTracker;
  progress: SuiteProgressEvent[];
  runner(endpoints: Endpoint[], extra?: Partial<SuiteRunnerOptions>): SuiteRunner;
  close(): Promise<void>;
}

/** A data folder with the demo NPC and her suite, the stores open, an engine, and a runner over given endpoints. */
export async function suiteRig(): Promise<SuiteRig> {
  const dir = await tempDir('npc-suite-');
  const logger = memoryLogger('warn').logger;
  const suites = new SuiteStore({ dir: join(dir.path, 'suites'), logger });
  await suites.initialize();
  const npcs = new NpcStore({ dir: join(dir.path, 'npcs'), logger, charxAppData: suiteCharxAppData(suites) });
  await npcs.initialize();
  await npcs.save(demoNpcDraft());
  await suites.save(demoSuite());
  const usage = new UsageTracker(
    { file: join(dir.path, 'usage.jsonl'), prices: { 'priced-model': { inputPer1k: 1, outputPer1k: 2 } } },
    logger,
  );
  await usage.initialize();
  const engine = new ExecutionEngine({ logger });
  const progress: SuiteProgressEvent[] = [];
  return {
    dataDir: dir.path,
    engine,
    npcs,
    suites,
    usage,
    progress,
    runner: (endpoints, extra = {}) =>
      new SuiteRunner({
        engine,
        npcs,
        suites,
        lorebooks: null,
        knowledge: null,
        endpoints: () => endpoints,
        usage,
        logger,
        progress: (e) => progress.push(e),
        ...extra,
      }),
    close: async () => {
      await suites.cleanup();
      await npcs.cleanup();
      await usage.cleanup();
      await dir.remove();
    },
  };
}

/** A processor that answers from a script (for judges and a hosted stand-in). */
export function scriptedProcessor(
  kind: 'local' | 'hosted',
  answer: (system: string, user: string) => string,
  seen: unknown[] = [],
): Processor {
  return {
    kind,
    async *chat(request) {
      seen.push(request);
      const text = answer(request.system, request.messages.at(-1)?.content ?? '');
      yield { type: 'token', text };
      yield { type: 'done', model: request.model, usage: { promptTokens: 10, replyTokens: text.split(/\s+/).length, latencyMs: 1 } };
    },
  };
}

export function scriptedEndpoint(
  label: string,
  processor: Processor,
  models: string[] | null,
  seeded = processor.kind === 'local',
): Endpoint {
  return { label, processor: processor.kind, concurrency: 2, chat: processor, seeded, models: async () => models };
}

export async function closeServed(...served: ServedEndpoint[]): Promise<void> {
  for (const s of served) {
    await s.processor.cleanup();
    await s.client.cleanup();
    await s.server.stop();
  }
}
