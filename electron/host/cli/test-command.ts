import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { errorMessage } from '../../../shared/errors';
import type { ProcessorKind } from '../../../shared/npc';
import type { Backend, RunFile } from '../../../shared/suite';
import { DEMO_NPC_ID, demoNpcDraft, demoSuite } from '../demo/demo-npc';
import { OllamaTestServer } from '../demo/ollama';
import { healthNow, type Provider } from '../lifecycle/provider';
import { LorebookStore } from '../lore/lorebook-store';
import { BedrockClientProvider } from '../processors/hosted/bedrock-client-provider';
import { HostedProcessor } from '../processors/hosted/hosted-processor';
import { LocalProcessor } from '../processors/local/local-processor';
import { OllamaClientProvider } from '../processors/local/ollama-client-provider';
import { SettingsStore } from '../settings/settings-store';
import { dataPaths } from '../studio-paths';
import type { Endpoint } from '../suites/endpoint-pool';
import { runsToJunit } from '../suites/junit';
import { bedrockEndpoint, ollamaPool } from '../suites/pool-endpoints';
import { SuiteConfigError, SuiteValidationError } from '../suites/suite-errors';
import { SuiteRunner } from '../suites/suite-runner';
import { UsageTracker } from '../usage/usage-tracker';
import { CliUsageError, type CliCommand, type CliContext } from './command';

const BACKENDS = ['local', 'hosted', 'all'] as const;

/** The demo server as a provider of the CLI run: started first, stopped with the resources. */
class DemoServerProvider implements Provider {
  readonly id = 'ollama-demo-server';
  readonly kind = 'ollama-test-server';
  readonly phase = 'resources' as const;
  constructor(readonly server: OllamaTestServer) {}
  async initialize(): Promise<void> {
    await this.server.start();
  }
  async shutdown(): Promise<void> {
    await this.server.stop();
  }
  async healthCheck() {
    return healthNow('healthy', { openSockets: this.server.connections.openCount });
  }
}

function positiveInt(value: unknown, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || n < min || n > 2 ** 31 - 1)
    throw new CliUsageError(`${name} must be a whole number of at least ${min}, got "${String(value)}"`, test);
  return n;
}

/**
 * The backends of one NPC's run: `--backend` picks the processors (default: the NPC's own), `--model` the models
 * (`NAME` for every chosen processor, or `local:NAME` / `hosted:NAME`; repeatable; default: the NPC's model).
 */
export function backendsFor(npc: { processor: ProcessorKind; model: string }, backend: string | undefined, models: string[]): Backend[] {
  const kinds: ProcessorKind[] = backend === 'all' ? ['local', 'hosted'] : backend ? [backend as ProcessorKind] : [npc.processor];
  const out: Backend[] = [];
  for (const kind of kinds) {
    const named = models.flatMap((m) => {
      const prefixed = /^(local|hosted):(.+)$/.exec(m);
      if (prefixed) return prefixed[1] === kind ? [prefixed[2]!] : [];
      return [m];
    });
    const chosen = named.length ? named : kind === npc.processor ? [npc.model] : [];
    if (!chosen.length)
      throw new CliUsageError(`--backend ${kind}: name its model with --model ${kind}:NAME (the NPC uses ${npc.processor})`, test);
    for (const model of chosen) out.push({ processor: kind, model });
  }
  return out;
}

/** Writes the demo NPC and her suite into the folder when they are not there yet. */
async function seedDemo(ctx: CliContext): Promise<void> {
  const npcs = await ctx.npcs();
  if (!npcs.list().some((n) => n.id === DEMO_NPC_ID)) await npcs.save(demoNpcDraft());
  const suites = await ctx.suites();
  if (!suites.get(DEMO_NPC_ID)) await suites.save(demoSuite());
}

function summary(ctx: CliContext, run: RunFile): void {
  ctx.out(`${run.npcName} (${run.npcId}): ${run.samples.length}/${run.planned} samples, run ${run.id} (${run.state})`);
  for (const cell of run.matrix) {
    const rate = cell.passRate === null ? '  -  ' : `${Math.round(cell.passRate * 100)}%`.padStart(5);
    const extra = [cell.errors ? `${cell.errors} error` : '', cell.interrupted ? `${cell.interrupted} interrupted` : '']
      .filter(Boolean)
      .join(', ');
    ctx.out(`  ${rate}  ${cell.case}  [${cell.backend}]  ${cell.passed} pass, ${cell.failed} fail${extra ? `, ${extra}` : ''}`);
  }
  for (const s of run.samples.filter((x) => x.status !== 'pass')) {
    const failed = s.turns.flatMap((t) => t.assertions).find((a) => a.verdict !== 'pass');
    ctx.err(
      `  ${s.status.toUpperCase()} ${s.case} [${s.backend}] sample ${s.sample + 1} (seed ${s.seed}): ${failed?.message ?? s.error ?? ''}`,
    );
  }
}

const test: CliCommand = {
  words: ['test'],
  synopsis:
    '[NPC_ID...] [--backend local|hosted|all] [--model NAME] [--samples N] [--seed S] [--temperature T] [--junit FILE] [--json] [--demo]',
  summary: 'run NPC behaviour tests (default: every NPC with a suite); exit 0 all pass, 1 any failure, 2 usage or configuration error',
  options: {
    backend: { type: 'string' },
    model: { type: 'string', multiple: true },
    samples: { type: 'string' },
    seed: { type: 'string' },
    temperature: { type: 'string' },
    junit: { type: 'string' },
    json: { type: 'boolean', default: false },
    demo: { type: 'boolean', default: false },
  },
  args: { min: 0, max: 50 },
  // --demo without --data-dir: a fresh folder, so a new user sees the designed outcome every time.
  defaultDataDir: ({ values }) => (values.demo ? mkdtempSync(join(tmpdir(), 'npc-studio-test-demo-')) : undefined),
  async run(ctx, { values, positionals }) {
    const backend = values.backend as string | undefined;
    if (backend !== undefined && !(BACKENDS as readonly string[]).includes(backend))
      throw new CliUsageError(`--backend must be ${BACKENDS.join(', ')}; got "${backend}"`, test);
    const models = (values.model as unknown as string[] | undefined) ?? [];
    const samples = positiveInt(values.samples, '--samples', 1);
    const seed = positiveInt(values.seed, '--seed', 0);
    const temperature = values.temperature === undefined ? undefined : Number(values.temperature);
    if (temperature !== undefined && !(temperature >= 0 && temperature <= 2))
      throw new CliUsageError(`--temperature must be 0 to 2, got "${String(values.temperature)}"`, test);
    if (values.junit === '' || values.junit === true) throw new CliUsageError('--junit needs a file name', test);

    try {
      return await runTests(ctx, {
        backend,
        models,
        samples,
        seed,
        temperature,
        ids: positionals,
        demo: values.demo === true,
        junit: values.junit as string | undefined,
        json: values.json === true,
      });
    } catch (err) {
      if (err instanceof SuiteConfigError || err instanceof SuiteValidationError) {
        ctx.err(`test: ${err.message}`);
        if (err instanceof SuiteConfigError) ctx.err(`hint: ${err.hint}`);
        return 2;
      }
      throw err;
    }
  },
};

interface TestOptions {
  backend?: string;
  models: string[];
  samples?: number;
  seed?: number;
  temperature?: number;
  ids: string[];
  demo: boolean;
  junit?: string;
  json: boolean;
}

async function runTests(ctx: CliContext, o: TestOptions): Promise<number> {
  const settings = await new SettingsStore(ctx.dataDir, ctx.logger).load();
  const demo = o.demo ? await ctx.register(new DemoServerProvider(new OllamaTestServer({ switches: { tokenDelayMs: 2 } }))) : null;
  if (demo) {
    await seedDemo(ctx);
    ctx.err(`Demo: Ollama-protocol demo server at ${demo.server.url}, data in ${ctx.dataDir}`);
  }
  const npcs = await ctx.npcs();
  const suites = await ctx.suites();
  const ids = o.ids.length ? o.ids : demo ? [DEMO_NPC_ID] : suites.list().map((s) => s.npcId);
  if (!ids.length) {
    ctx.err(`test: no NPC in ${ctx.dataDir} has a test suite; write one in the Tests panel, or try --demo`);
    return 2;
  }
  const lorebooks = await ctx.register(new LorebookStore({ dir: dataPaths(ctx.dataDir).lorebooks, logger: ctx.logger }));
  const usage = await ctx.register(new UsageTracker({ file: dataPaths(ctx.dataDir).usage }, ctx.logger));
  const endpoints = await openEndpoints(
    ctx,
    demo ? { ...settings.ollama, url: demo.server.url, concurrency: 4 } : settings.ollama,
    settings,
    o,
    ids,
    npcs,
  );

  const runner = new SuiteRunner({
    engine: ctx.engine,
    npcs,
    suites,
    lorebooks,
    knowledge: null,
    endpoints: () => endpoints,
    usage,
    logger: ctx.logger,
    progress: (p) => {
      if (!o.json && p.state === 'running' && p.done > 0)
        ctx.err(`  ${p.done}/${p.total} samples${p.etaMs !== null ? `, about ${Math.ceil(p.etaMs / 1000)} s left` : ''}`);
    },
  });
  const runs: RunFile[] = [];
  for (const npcId of ids) {
    const npc = npcs.list().find((n) => n.id === npcId);
    const backends = npc ? backendsFor(npc, o.backend, o.models) : [{ processor: 'local' as const, model: 'unknown' }];
    const started = await runner.start({
      npcId,
      backends,
      ...(o.samples !== undefined ? { samples: o.samples } : {}),
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
      ...(o.temperature !== undefined ? { temperature: o.temperature } : {}),
    });
    // Ctrl-C: the shutdown drains the engine, so samples not begun are refused and the run ends `interrupted`.
    const run = await started.finished;
    runs.push(run);
    if (o.json) ctx.out(JSON.stringify(run));
    else summary(ctx, run);
  }
  if (o.junit) {
    const file = resolve(o.junit);
    try {
      await writeFileAtomic(file, runsToJunit(runs));
    } catch (err) {
      ctx.err(`test: cannot write ${file}: ${errorMessage(err)}`);
      return 1;
    }
    if (!o.json) ctx.out(`JUnit XML written to ${file}`);
  }
  const clean = runs.every((r) => r.state === 'complete' && r.totals.failed === 0 && r.totals.errors === 0 && r.totals.interrupted === 0);
  return clean ? 0 : 1;
}

/** The pool the settings describe (or the demo server), opened for this run; Bedrock only when asked for. */
async function openEndpoints(
  ctx: CliContext,
  ollama: Parameters<typeof ollamaPool>[0],
  settings: Awaited<ReturnType<SettingsStore['load']>>,
  o: TestOptions,
  ids: string[],
  npcs: Awaited<ReturnType<CliContext['npcs']>>,
): Promise<Endpoint[]> {
  const client = await ctx.register(new OllamaClientProvider({ url: ollama.url, logger: ctx.logger }));
  const local = await ctx.register(new LocalProcessor({ client, logger: ctx.logger }));
  const pool = ollamaPool(ollama, { client, processor: local }, ctx.logger);
  for (const p of pool.providers) await ctx.register(p);
  const endpoints = [...pool.endpoints];
  const wantsHosted =
    o.backend === 'hosted' ||
    o.backend === 'all' ||
    (!o.backend && ids.some((id) => npcs.list().find((n) => n.id === id)?.processor === 'hosted'));
  if (wantsHosted) {
    const bedrock = await ctx.register(
      new BedrockClientProvider(
        { region: settings.bedrock.region, profile: settings.bedrock.profile, endpoint: settings.bedrock.endpoint },
        ctx.logger,
      ),
    );
    endpoints.push(bedrockEndpoint(await ctx.register(new HostedProcessor(bedrock, ctx.logger))));
  }
  return endpoints;
}

export const testCommands: CliCommand[] = [test];
