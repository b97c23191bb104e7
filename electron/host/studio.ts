/* The composition root: the one place that builds the host's parts and wires them together. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppInfo } from '../../shared/contract';
import type { HealthSnapshot, ProviderHealth, ProviderInfo } from '../../shared/health';
import { ExecutionEngine } from './engine/execution-engine';
import { toIpcError } from './ipc/error-mapping';
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
import { ShutdownReportStore } from './lifecycle/shutdown-report';
import { errorMessage } from './lifecycle/timeout';
import { createLogger, type Logger, type LogSinks } from './log/logger';
import { ChatService } from './npc/chat-service';
import { knowledgeLore } from './npc/knowledge-lore';
import { NpcStore } from './npc/npc-store';
import { TranscriptStore } from './npc/transcript-store';
import { BedrockClientProvider } from './processors/hosted/bedrock-client-provider';
import { HostedProcessor } from './processors/hosted/hosted-processor';
import { OllamaClientProvider } from './processors/local/ollama-client-provider';
import { LocalProcessor } from './processors/local/local-processor';
import { toWireShutdownProgress } from './ipc/shutdown-progress';
import { hostHealth } from './resources/host-health';
import { SettingsStore } from './settings/settings-store';
import { dataPaths, defaultDataDir } from './studio-paths';
import { TrackedProcessor } from './usage/tracked-processor';
import { UsageTracker } from './usage/usage-tracker';

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
}

export interface Studio {
  readonly dataDir: string;
  readonly router: Router;
  readonly coordinator: ShutdownCoordinator;
  readonly registry: ProviderRegistry;
  readonly engine: ExecutionEngine;
  readonly logger: Logger;
  readonly logs: LogSinks;
  readonly npcs: NpcStore;
  readonly knowledge: KnowledgeStore;
  readonly chat: ChatService;
  /** Registers (and so initializes) every provider; one that fails is reported in health and the others go on. */
  start(): Promise<void>;
}

export async function createStudio(options: StudioOptions): Promise<Studio> {
  const dataDir = options.dataDir ?? defaultDataDir();
  const paths = dataPaths(dataDir);
  await mkdir(dataDir, { recursive: true });
  const logs = createLogger({ file: paths.logFile, stderr: options.logToStderr });
  const logger = logs.logger;
  const settingsStore = new SettingsStore(dataDir, logger);
  const settings = await settingsStore.load();
  const reports = new ShutdownReportStore(dataDir);
  // Read before anything can overwrite it: this run's report replaces it at the end.
  const lastReport = await reports.read();
  if (lastReport && 'problem' in lastReport) logger.error(`The last shutdown report could not be read: ${lastReport.problem}`);

  const registry = new ProviderRegistry({ logger, cleanupTimeoutMs: settings.timeouts.providerCleanupMs });
  const engine = new ExecutionEngine({ logger });
  const coordinator = new ShutdownCoordinator({
    registry, intake: engine, logger, reports, flushLogs: logs.flush,
    deadlineMs: settings.timeouts.shutdownDeadlineMs, drainMs: settings.timeouts.drainMs,
  });
  engine.bindStop((reason) => coordinator.run(reason));

  const usage = new UsageTracker({ file: paths.usage }, logger);
  const ollama = new OllamaClientProvider({ url: options.ollamaUrl ?? settings.ollama.url, logger });
  const local = new LocalProcessor({ client: ollama, logger });
  const bedrock = new BedrockClientProvider({ region: settings.bedrock.region, profile: settings.bedrock.profile, endpoint: settings.bedrock.endpoint }, logger);
  const hosted = new HostedProcessor(bedrock, logger);
  const chroma = settings.chroma.mode === 'url'
    ? new ExternalChromaServer(settings.chroma.url, logger)
    : new ChromaServer({ dataDir: paths.chroma, logger, launch: options.chromaLaunch ?? defaultChromaLaunch() });
  const npcs = new NpcStore({ dir: paths.npcs, logger });
  const transcripts = new TranscriptStore({ dir: paths.transcripts, logger });
  const knowledge = new KnowledgeStore({ endpoint: chroma, embedder: local.embedding, dataDir: paths.knowledge, npcExists: (id) => npcs.list().some((n) => n.id === id), logger });

  const processors = { local: new TrackedProcessor(local, usage, logger), hosted: new TrackedProcessor(hosted, usage, logger) };
  let router: Router | null = null;
  const publish: Router['publish'] = (event, payload) => router?.publish(event, payload);
  const chat = new ChatService({
    engine, npcs, transcripts, logger,
    lore: knowledgeLore(knowledge),
    processorFor: (kind) => processors[kind],
    events: {
      token: (e) => publish('chat.token', e),
      done: (e) => publish('chat.done', e),
      error: (e) => publish('chat.error', { turnId: e.turnId, npcId: e.npcId, alternative: e.alternative, error: toErrorPayload(e.error) }),
    },
  });

  // Registration order: what others depend on first. Closing order is by phase, not by this list.
  const providers: Provider[] = [...(options.extraProviders ?? []), npcs, transcripts, usage, ollama, local, bedrock, hosted, chroma, knowledge];
  const failed = new Map<string, { provider: Provider; error: string }>();

  const providerList = (): ProviderInfo[] => providers.map(({ id, kind, phase }) => ({ id, kind, phase }));
  const health = async (): Promise<HealthSnapshot> => {
    const live = await registry.health();
    const down: ProviderHealth[] = [...failed.values()].map(({ provider, error }) => ({
      id: provider.id, kind: provider.kind, phase: provider.phase,
      ...healthNow(registry.stopped ? 'stopped' : 'unhealthy', {}, { lastError: `did not start: ${error}` }),
    }));
    return [hostHealth(engine, registry), ...live, ...down];
  };

  const info: Omit<AppInfo, 'problems'> = { name: 'NPC Studio', version: options.version ?? '0.1.0', mode: options.mode, demo: options.demo ?? false, dataDir };
  router = createRouter(
    studioHandlers({
      npcs, transcripts, chat, knowledge, usage, logs, lastReport, info,
      settings: settingsStore,
      providers: providerList,
      health,
      publish,
      requestQuit: options.requestQuit,
    }),
    { isAccepting: () => engine.isAccepting, collectHealth: health, logger },
  );
  coordinator.events.on('progress', (p) => publish('shutdown.progress', toWireShutdownProgress(p)));
  logs.ring.subscribe((entry) => publish('log.line', entry));
  coordinator.events.on('progress', (p) => {
    if (p.type === 'done') router?.close();
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

  return { dataDir, router, coordinator, registry, engine, logger, logs, npcs, knowledge, chat, start };
}

/** On Debian 12 the Chroma bindings need the loader prepared by scripts/prepare-chroma-loader.sh. */
function defaultChromaLaunch(): ChromaLaunch {
  const fromEnv = process.env.NPC_STUDIO_CHROMA_PREFIX;
  if (fromEnv) return { prefix: JSON.parse(fromEnv) as string[] };
  const prefix = preparedLoaderPrefix(join(process.cwd(), '.cache', 'chroma-loader'));
  return prefix ? { prefix } : {};
}

/** The same IpcError a failed call would get. */
function toErrorPayload(err: unknown) {
  return toIpcError(toHostError(err));
}
