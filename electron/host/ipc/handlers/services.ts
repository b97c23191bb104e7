import type { AppInfo } from '../../../../shared/contract';
import type { EventName, StudioEvents } from '../../../../shared/events';
import type { HealthHistory, HealthSnapshot, ProviderInfo } from '../../../../shared/health';
import type { LastShutdownReport } from '../../../../shared/shutdown';
import type { KnowledgeStore } from '../../knowledge/knowledge-store';
import type { LogSinks } from '../../log/logger';
import type { ChatService } from '../../npc/chat-service';
import type { LorebookStore } from '../../lore/lorebook-store';
import type { NpcStore } from '../../npc/npc-store';
import type { ModelManager } from '../../processors/local/model-manager';
import type { TranscriptStore } from '../../npc/transcript-store';
import type { PersonaStore } from '../../npc/persona-store';
import type { SettingsStore } from '../../settings/settings-store';
import type { UsageTracker } from '../../usage/usage-tracker';
import type { SuiteRunner } from '../../suites/suite-runner';
import type { SuiteStore } from '../../suites/suite-store';

/** What the channel handlers work with; the composition root (studio.ts) provides it. */
export interface StudioServices {
  npcs: NpcStore;
  lorebooks: LorebookStore;
  transcripts: TranscriptStore;
  /** The designer's personas (who {{user}} is). */
  personas: PersonaStore;
  chat: ChatService;
  knowledge: KnowledgeStore;
  /** Ollama's models: list, show, pull, delete. */
  models: ModelManager;
  usage: UsageTracker;
  /** NPC behaviour tests: the suites and their runs, and the runner. */
  suites: SuiteStore;
  tests: SuiteRunner;
  settings: SettingsStore;
  logs: LogSinks;
  lastReport: LastShutdownReport;
  /** app.info without its problems, which are gathered on each call. */
  info: Omit<AppInfo, 'problems'>;
  providers(): ProviderInfo[];
  health(): Promise<HealthSnapshot>;
  /** The charts' last 15 minutes per provider. */
  healthHistory(): HealthHistory;
  publish<E extends EventName>(event: E, payload: StudioEvents[E]): void;
  requestQuit(reason: string): void;
  /** Opens a link in the system browser (the desktop shell); absent in the web host, where the browser opens links. */
  openExternal?(url: string): Promise<void>;
}
