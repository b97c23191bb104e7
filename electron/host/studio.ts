/* The composition root: the one place that builds the host's parts and wires them together. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppInfo } from '../../shared/contract';
import type { LastShutdownReport } from '../../shared/shutdown';
import type { HealthSnapshot, ProviderHealth, ProviderInfo } from '../../shared/health';
import { ExecutionEngine } from './engine/execution-engine';
import { toIpcError } from './ipc/to-ipc-error';
import { studioHandlers } from './ipc/handlers';
import { toHostError } from './ipc/handlers/domain-errors';
import { createRouter, type Router } from './ipc/router';
import { ChromaServer } from './knowledge/chroma-server';
import { preparedLoaderPrefix, type ChromaLaunch } from './knowledge/chroma-launch';
import { ExternalChromaServer } from './knowledge/external-chroma-server';
import { KnowledgeStore } from './knowledge/knowledge-store';
import { healthNow, type Provider } from './lifecycle/provider';
import { ProviderRegistry } from './lifecycle/provider-registry';
import { ShutdownCoordinator } from './lifecycle/shutdown-coordinator';
import { lockDataFolder, type DataFolderLock } from './lifecycle/data-folder-lock';
import { previousUncleanExit, writeRunMarker } from './lifecycle/run-marker';
import { ShutdownReportStore } from './lifecycle/shutdown-report';
import { createLogger, type Logger, type LogSinks } from './log/logger';
import { ChatService } from './npc/chat-service';
import { knowledgeLore } from './npc/knowledge-lore';
import { NpcStore } from './npc/npc-store';
import { LorebookStore } from './lore/lorebook-store';
import { TranscriptStore } from './npc/transcript-store';
import { PersonaStore } from './npc/persona-store';
import { BedrockClientProvider } from './processors/hosted/bedrock-client-provider';
import { HostedProcessor } from './processors/hosted/hosted-processor';
import { OllamaClientProvider } from './processors/local/ollama-client-provider';
import { LocalProcessor } from './processors/local/local-processor';
import { ModelManager } from './processors/local/model-manager';
import { toWireShutdownProgress } from './ipc/shutdown-progress';
import { hostHealth, knownChildren, withTreeFigures } from './resources/host-health';
import { deriveHealth, RecoveryTracker } from './resources/health-view';
import { HealthHistoryRecorder } from './resources/health-history';
import { ProcessProbe } from './resources/process-figures';
import { withSharedTcpTable } from './resources/proc';
import { SettingsStore } from './settings/settings-store';
import { dataPaths, defaultDataDir } from './studio-paths';
import { TrackedProcessor } from './usage/tracked-processor';
import { UsageTracker } from './usage/usage-tracker';
import { BudgetedProcessor, BudgetGuard, withBudget } from './usage/budget-guard';
import { bedrockEndpoint, ollamaPool } from './suites/pool-endpoints';
import { suiteCharxAppData } from './suites/suite-app-data';
import { SuiteRunner } from './suites/suite-runner';
import { SuiteStore } from './suites/suite-store';
import { errorMessage } from '../../shared/errors';

export interface StudioOptions {
  mode: AppInfo['mode'];
  demo?: boolean;
  /** The user-data folder; Electron's userData path by default. */
  dataDir?: string;
  /** How the shell ends the app when the Quit button is pressed (it runs the coordinator, then exits). */
  requestQuit(reason: string): void;
  /** Overrides settings.json's Ollama URL (the demo's own server). */
  ollamaUrl?: string;
  chromaLaunch?: ChromaLaunch;
  /** Providers the shell adds (e.g. the demo's Ollama-protocol server), registered first, closed in their phase. */
  extraProviders?: Provider[];
  logToStderr?: boolean;
  version?: string;
  /** The data-folder lock when the shell took it itself (Electron, before app ready); taken here otherwise. */
  lock?: DataFolderLock;
  /** How to open another folder in this shell, for the message of a refused start. */
  otherFolderHint?: string;
  /** Opens a link in the system browser (Electron's shell.openExternal); the web host gives none. */
  openExternal?(url: string): Promise<void>;
}

export interface Studio {
  readonly dataDir: string;
  /** Held from before the first file is opened until the shutdown's last step. */
  readonly lock: DataFolderLock;
  readonly router: Router;
  readonly coordinator: ShutdownCoordinator;
  readonly registry: ProviderRegistry;
  readonly engine: ExecutionEngine;
  readonly logger: Logger;
  readonly logs: LogSinks;
  readonly npcs: NpcStore;
  readonly knowledge: KnowledgeStore;
  readonly chat: ChatService;
  /** NPC behaviour test suites and their runs. */
  readonly suites: SuiteStore;
  /** Registers (and so initializes) every provider; one that fails is reported in health and the others go on. */
  start(): Promise<void>;
}

/**
 * Takes the data folder's lock first (throws DataFolderLockedError, touching nothing in the folder, when
 * another studio holds it), then builds the studio. The lock is released after the shutdown's last step.
 */
export async function createStudio(options: StudioOptions): Promise<Studio> {
  const dataDir = options.dataDir ?? defaultDataDir();
  const lock = options.lock ?? (await lockDataFolder(dataDir, { app: options.mode, otherFolderHint: options.otherFolderHint }));
  try {
    return await composeStudio(options, dataDir, lock);
  } catch (err) {
    lock.release();
    throw err;
  }
}

async function composeStudio(options: StudioOptions, dataDir: string, lock: DataFolderLock): Promise<Studio> {
  const paths = dataPaths(dataDir);
  await mkdir(dataDir, { recursive: true });
  // Before this run's logger appends: the log's last line dates the previous run's end.
  const unclean = await previousUncleanExit(dataDir, paths.logFile);
  const runMarker = await writeRunMarker(dataDir, options.mode);
  const logs = createLogger({ file: paths.logFile, stderr: options.logToStderr });
  const logger = logs.logger;
  const settingsStore = new SettingsStore(dataDir, logger);
  const settings = await settingsStore.load();
  const reports = new ShutdownReportStore(dataDir);
  // Read before anything can overwrite it: this run's report replaces it at the end.
  const readReport = await reports.read();
  // A report older than the unclean end would tell of an earlier run: the unclean end is what the UI shows.
  const lastReport: LastShutdownReport = unclean ? { unclean } : readReport;
  if (unclean) {
    const streaming = 'a reply that was streaming is kept as far as it was saved, marked interrupted';
    logger.warn({ previousPid: unclean.pid, endedAbout: unclean.endedAbout }, `${unclean.message}; ${streaming}`);
  } else if (readReport && 'problem' in readReport) logger.error(`The last shutdown report could not be read: ${readReport.problem}`);
  lock.onLost((err) => {
    const what = `another studio may be using ${dataDir}. Quitting to keep the data safe.`;
    logger.error(`The lock on the data folder was lost (${err.message}); ${what}`);
    options.requestQuit('data-folder lock lost');
  });

  const registry = new ProviderRegistry({ logger, cleanupTimeoutMs: settings.timeouts.providerCleanupMs });
  const engine = new ExecutionEngine({ logger });
  const coordinator = new ShutdownCoordinator({
    registry,
    intake: engine,
    logger,
    reports,
    flushLogs: logs.close,
    deadlineMs: settings.timeouts.shutdownDeadlineMs,
    drainMs: settings.timeouts.drainMs,
  });

  const usage = new UsageTracker({ file: paths.usage }, logger);
  const ollama = new OllamaClientProvider({ url: options.ollamaUrl ?? settings.ollama.url, logger });
  const local = new LocalProcessor({ client: ollama, logger });
  const bedrock = new BedrockClientProvider(
    { region: settings.bedrock.region, profile: settings.bedrock.profile, endpoint: settings.bedrock.endpoint },
    logger,
  );
  const hosted = new HostedProcessor(bedrock, logger);
  const chroma =
    settings.chroma.mode === 'url'
      ? new ExternalChromaServer(settings.chroma.url, logger)
      : new ChromaServer({
          dataDir: paths.chroma,
          logger,
          launch: options.chromaLaunch ?? defaultChromaLaunch(settings.chroma.launchPrefix),
        });
  const suites = new SuiteStore({ dir: paths.suites, logger });
  // A CHARX carries the NPC's test suite (x_npc_studio/suite.json) both ways.
  const npcs = new NpcStore({ dir: paths.npcs, logger, charxAppData: suiteCharxAppData(suites) });
  // Test runs spread over ollama.url and ollama.endpoints (each with a client, processor and health card of its own).
  const pool = ollamaPool({ ...settings.ollama, url: ollama.url }, { client: ollama, processor: local }, logger);
  const lorebooks = new LorebookStore({ dir: paths.lorebooks, logger });
  const transcripts = new TranscriptStore({ dir: paths.transcripts, logger });
  const personas = new PersonaStore({ file: paths.personas, logger });
  const knowledge = new KnowledgeStore({
    endpoint: chroma,
    embedder: local.embedding,
    dataDir: paths.knowledge,
    npcExists: (id) => npcs.list().some((n) => n.id === id),
    logger,
  });

  const budget = new BudgetGuard(usage, () => settingsStore.get().budget?.monthlyCapUsd ?? null);
  const processors = {
    local: new TrackedProcessor(local, usage, logger),
    hosted: new BudgetedProcessor(new TrackedProcessor(hosted, usage, logger), budget),
  };
  let router: Router | null = null;
  const publish: Router['publish'] = (event, payload) => router?.publish(event, payload);
  const models = new ModelManager({ client: ollama, logger, publish: (e) => publish('models.pull', e) });
  const chat = new ChatService({
    engine,
    npcs,
    transcripts,
    logger,
    personas,
    lore: knowledgeLore(knowledge),
    lorebooks,
    processorFor: (kind) => processors[kind],
    modelContextLength: (model, signal) => models.contextLength(model, signal),
    events: {
      token: (e) => publish('chat.token', e),
      done: (e) => publish('chat.done', e),
      error: (e) =>
        publish('chat.error', {
          turnId: e.turnId,
          npcId: e.npcId,
          conversationId: e.conversationId,
          alternative: e.alternative,
          error: toErrorPayload(e.error),
        }),
    },
  });

  // Registration order: what others depend on first. Closing order is by phase, not by this list.
  // Test samples record their usage themselves (each sample keeps its cost), so the runner gets the untracked processors.
  const tests = new SuiteRunner({
    engine,
    npcs,
    suites,
    lorebooks,
    logger,
    usage,
    knowledge: knowledgeLore(knowledge),
    endpoints: () => [...pool.endpoints, bedrockEndpoint(hosted)],
    progress: (e) => publish('suite.progress', e),
  });

  const providers: Provider[] = [
    ...(options.extraProviders ?? []),
    suites,
    npcs,
    lorebooks,
    transcripts,
    personas,
    usage,
    ollama,
    local,
    ...pool.providers,
    bedrock,
    hosted,
    chroma,
    knowledge,
  ];
  const failed = new Map<string, { provider: Provider; error: string }>();

  const providerList = (): ProviderInfo[] => providers.map(({ id, kind, phase }) => ({ id, kind, phase }));
  const processProbe = new ProcessProbe();
  const recovery = new RecoveryTracker();
  const healthHistory = new HealthHistoryRecorder();
  const health = async (): Promise<HealthSnapshot> => {
    const live = await withSharedTcpTable(() => registry.health());
    const down: ProviderHealth[] = [...failed.values()].map(({ provider, error }) => ({
      id: provider.id,
      kind: provider.kind,
      phase: provider.phase,
      ...healthNow(registry.stopped ? 'stopped' : 'unhealthy', {}, { lastError: `did not start: ${error}` }),
    }));
    const budgetNow = budget.status();
    const providersNow = recovery.apply(deriveHealth([...live, ...down])).map((p) => (p.id === hosted.id ? withBudget(p, budgetNow) : p));
    const host = await withSharedTcpTable(() =>
      hostHealth(engine, registry, processProbe, knownChildren(providersNow), router?.subscriberCount('health') ?? 0),
    );
    const snapshot = [host, ...withTreeFigures(providersNow, host.resources.processes ?? [])];
    healthHistory.record(snapshot);
    return snapshot;
  };

  const info: Omit<AppInfo, 'problems'> = {
    name: 'NPC Studio',
    version: options.version ?? '0.1.0',
    mode: options.mode,
    demo: options.demo ?? false,
    dataDir,
    ollamaUrl: ollama.url,
  };
  router = createRouter(
    studioHandlers({
      npcs,
      lorebooks,
      transcripts,
      personas,
      chat,
      knowledge,
      models,
      usage,
      logs,
      lastReport,
      info,
      suites,
      tests,
      settings: settingsStore,
      providers: providerList,
      health,
      healthHistory: () => healthHistory.history(),
      publish,
      requestQuit: options.requestQuit,
      ...(options.openExternal ? { openExternal: options.openExternal } : {}),
    }),
    { isAccepting: () => engine.isAccepting, collectHealth: health, logger },
  );
  coordinator.events.on('progress', (p) => publish('shutdown.progress', toWireShutdownProgress(p)));
  logs.ring.subscribe((entry) => publish('log.line', entry));
  coordinator.events.on('progress', (p) => {
    if (p.type !== 'done') return;
    router?.close();
    // The report is written and the log flushed: the next start reads that report, and the folder is free.
    runMarker.end();
    lock.release();
  });

  async function start(): Promise<void> {
    logger.info({ dataDir, mode: options.mode }, `NPC Studio starting (${options.mode}${options.demo ? ', demo' : ''})`);
    for (const provider of providers) {
      if (registry.stopped) return;
      try {
        await registry.register(provider);
      } catch (err) {
        failed.set(provider.id, { provider, error: errorMessage(err) });
        logger.error({ provider: provider.id }, `Provider ${provider.id} did not start: ${errorMessage(err)}`);
      }
    }
    logger.info(`NPC Studio ready: ${registry.list().length} provider(s) up, ${failed.size} failed`);
  }

  return { dataDir, lock, router, coordinator, registry, engine, logger, logs, npcs, knowledge, chat, suites, start };
}

/** On Debian 12 the Chroma bindings need the loader prepared by scripts/prepare-chroma-loader.sh. */
function defaultChromaLaunch(fromSettings: string[] | undefined): ChromaLaunch {
  const fromEnv = process.env.NPC_STUDIO_CHROMA_PREFIX;
  if (fromEnv) return { prefix: JSON.parse(fromEnv) as string[] };
  if (fromSettings?.length) return { prefix: fromSettings };
  const prefix = preparedLoaderPrefix(join(process.cwd(), '.cache', 'chroma-loader'));
  return prefix ? { prefix } : {};
}

/** The same IpcError a failed call would get. */
function toErrorPayload(err: unknown) {
  return toIpcError(toHostError(err));
}
