import type { IpcError } from './errors';
import type { HealthSnapshot } from './health';
import type { LogLine } from './logs';
import type { ModelPullEvent } from './models';
import type { ShutdownProgress } from './shutdown';
import type { SuiteProgressEvent } from './suite';

/** Every chat event names the conversation it streams into (`main` for an NPC's main conversation). */
export interface ChatTokenEvent {
  turnId: string;
  npcId: string;
  conversationId: string;
  text: string;
  /** Which alternative the token belongs to (0 for a first reply). */
  alternative?: number;
}

export interface ChatDoneEvent {
  turnId: string;
  npcId: string;
  conversationId: string;
  /** Which alternative finished (0 for a first reply). */
  alternative?: number;
  /** Stopped by the user or the drain deadline: the partial reply was kept. */
  interrupted: boolean;
  /** The transcript turn the reply was saved as. */
  messageId?: string;
  /** The conversation was deleted while the reply streamed: the reply was stopped and nothing of it was kept. */
  conversationDeleted?: true;
}

export interface ChatErrorEvent {
  turnId: string;
  npcId: string;
  conversationId: string;
  alternative?: number;
  error: IpcError;
}

export interface IngestProgressEvent {
  npcId: string;
  /** The source name given to knowledge.ingest (or being reindexed). */
  source: string;
  sourceId?: string;
  stage: 'chunking' | 'embedding' | 'storing' | 'done' | 'failed';
  done: number;
  total: number;
  error?: string;
}

/** Event name → payload. */
export interface StudioEvents {
  health: HealthSnapshot;
  'chat.token': ChatTokenEvent;
  'chat.done': ChatDoneEvent;
  'chat.error': ChatErrorEvent;
  'ingest.progress': IngestProgressEvent;
  'log.line': LogLine;
  'shutdown.progress': ShutdownProgress;
  'models.pull': ModelPullEvent;
  /** A test run's progress: samples done of planned, the ETA, and its state once it ends. */
  'suite.progress': SuiteProgressEvent;
}

export type EventName = keyof StudioEvents;
export type EventPayload<E extends EventName> = StudioEvents[E];

export const EVENT_NAMES = [
  'health',
  'chat.token',
  'chat.done',
  'chat.error',
  'ingest.progress',
  'log.line',
  'shutdown.progress',
  'models.pull',
  'suite.progress',
] as const satisfies readonly EventName[];

// Fails to compile when an event is added to StudioEvents but not to EVENT_NAMES.
type _AllEventsListed = Exclude<EventName, (typeof EVENT_NAMES)[number]> extends never ? true : never;
const _allEventsListed: _AllEventsListed = true;
void _allEventsListed;
