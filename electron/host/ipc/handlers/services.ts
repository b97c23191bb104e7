import type { AppInfo } from '../../../../shared/contract';
import type { EventName, StudioEvents } from '../../../../shared/events';
import type { HealthSnapshot, ProviderInfo } from '../../../../shared/health';
import type { KnowledgeStore } from '../../knowledge/knowledge-store';
import type { LastReport } from '../../lifecycle/shutdown-report';
import type { LogSinks } from '../../log/logger';
import type { ChatService } from '../../npc/chat-service';
import type { NpcStore } from '../../npc/npc-store';
import type { TranscriptStore } from '../../npc/transcript-store';
import type { SettingsStore } from '../../settings/settings-store';
import type { UsageTracker } from '../../usage/usage-tracker';

/** What the channel handlers work with; the composition root (studio.ts) provides it. */
export interface StudioServices {
  npcs: NpcStore;
  transcripts: TranscriptStore;
  chat: ChatService;
  knowledge: KnowledgeStore;
  usage: UsageTracker;
  settings: SettingsStore;
  logs: LogSinks;
  lastReport: LastReport;
  /** app.info without its problems, which are gathered on each call. */
  info: Omit<AppInfo, 'problems'>;
  providers(): ProviderInfo[];
  health(): Promise<HealthSnapshot>;
  publish<E extends EventName>(event: E, payload: StudioEvents[E]): void;
  requestQuit(reason: string): void;
}
