import { z } from 'zod';
import type { ChatHistory, ChatRegenerateResult, ChatSendResult, ExportedText, TranscriptTurn } from './chat';
import type { HealthSnapshot, ProviderInfo } from './health';
import { idSchema, LIMITS, npcIdSchema, sourceIdSchema, turnIdSchema } from './ids';
import type { IngestResult, KnowledgeSources, ReindexResult, SearchHit } from './knowledge';
import { LOG_LEVELS, type LogLine } from './logs';
import { npcInputSchema, type Npc, type NpcSummary } from './npc';
import { settingsSchema, type Settings, type SettingsSetResult } from './settings';
import type { LastShutdownReport } from './shutdown';
import type { UsageSummary } from './usage';

/**
 * The one IPC contract: channel → zod schema for the input, TypeScript type for the output.
 * Add a channel here first; the router's handler map then fails to compile until it is handled.
 */

/** A type-only marker for a channel's output (no runtime value is used). */
function returns<T>(): T {
  return undefined as T;
}

const none = z.strictObject({});
const byNpc = z.strictObject({ npcId: npcIdSchema });
const byTurn = z.strictObject({ npcId: npcIdSchema, turnId: turnIdSchema });

export interface ExportedCard {
  fileName: string;
  mime: 'application/json' | 'image/png';
  /** JSON text, or base64 for PNG. */
  data: string;
  encoding: 'utf8' | 'base64';
}

/** A data file the studio could not use as it was. It is kept (only a torn last journal record is cut off). */
export interface DataProblem {
  area: 'settings' | 'npc' | 'transcript' | 'usage' | 'shutdown-report';
  file: string;
  /** What is wrong and what the studio did about it. */
  message: string;
}

export interface AppInfo {
  name: string;
  version: string;
  mode: 'electron' | 'web';
  demo: boolean;
  dataDir: string;
  /** Damaged data files found at start (transcripts: see chat.history, they open on first use). */
  problems: DataProblem[];
}

export const contract = {
  'npc.list': { input: none, output: returns<NpcSummary[]>() },
  'npc.get': { input: z.strictObject({ id: idSchema }), output: returns<Npc>() },
  'npc.save': { input: npcInputSchema, output: returns<Npc>() },
  'npc.delete': { input: z.strictObject({ id: idSchema }), output: returns<{ deleted: boolean }>() },
  'npc.importCard': {
    input: z.discriminatedUnion('format', [
      z.strictObject({ format: z.literal('json'), text: z.string().min(2).max(LIMITS.cardJson) }),
      z.strictObject({
        format: z.literal('png'),
        base64: z
          .string()
          .min(8)
          .max(LIMITS.cardPngBase64)
          .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64'),
      }),
    ]),
    output: returns<Npc>(),
  },
  'npc.exportCard': {
    input: z.strictObject({ id: idSchema, format: z.enum(['json', 'png']) }),
    output: returns<ExportedCard>(),
  },

  'chat.send': {
    input: z.strictObject({ npcId: npcIdSchema, text: z.string().trim().min(1, 'say something').max(LIMITS.chatText) }),
    output: returns<ChatSendResult>(),
  },
  /** turnId: the streaming reply's id (from chat.send / chat.regenerate). */
  'chat.stop': { input: byTurn, output: returns<{ stopped: boolean }>() },
  /** turnId: the transcript turn (the last reply) to add an alternative to. */
  'chat.regenerate': { input: byTurn, output: returns<ChatRegenerateResult>() },
  'chat.chooseSwipe': {
    input: z.strictObject({ npcId: npcIdSchema, turnId: turnIdSchema, index: z.number().int().min(0).max(999) }),
    output: returns<TranscriptTurn>(),
  },
  'chat.edit': {
    input: z.strictObject({ npcId: npcIdSchema, turnId: turnIdSchema, text: z.string().min(1).max(LIMITS.chatText) }),
    output: returns<TranscriptTurn>(),
  },
  'chat.delete': { input: byTurn, output: returns<{ deleted: boolean }>() },
  'chat.history': { input: byNpc, output: returns<ChatHistory>() },
  'chat.export': {
    input: z.strictObject({ npcId: npcIdSchema, format: z.enum(['json', 'markdown']) }),
    output: returns<ExportedText>(),
  },

  'knowledge.ingest': {
    input: z.strictObject({
      npcId: npcIdSchema,
      source: z.string().trim().min(1, 'name the source').max(LIMITS.sourceName),
      text: z.string().min(1, 'the source is empty').max(LIMITS.sourceText),
    }),
    output: returns<IngestResult>(),
  },
  'knowledge.sources': { input: byNpc, output: returns<KnowledgeSources>() },
  'knowledge.delete': {
    input: z.strictObject({ npcId: npcIdSchema, sourceId: sourceIdSchema }),
    output: returns<{ deleted: boolean }>(),
  },
  'knowledge.search': {
    input: z.strictObject({
      npcId: npcIdSchema,
      query: z.string().trim().min(1).max(LIMITS.searchQuery),
      limit: z.number().int().min(1).max(50).default(5),
    }),
    output: returns<SearchHit[]>(),
  },
  'knowledge.reindex': { input: byNpc, output: returns<ReindexResult>() },

  'providers.list': { input: none, output: returns<ProviderInfo[]>() },
  'providers.health': { input: none, output: returns<HealthSnapshot>() },
  'usage.summary': { input: none, output: returns<UsageSummary>() },
  'logs.tail': {
    input: z.strictObject({ limit: z.number().int().min(1).max(2000).default(200), level: z.enum(LOG_LEVELS).default('info') }),
    output: returns<LogLine[]>(),
  },
  'settings.get': { input: none, output: returns<Settings>() },
  'settings.set': { input: settingsSchema, output: returns<SettingsSetResult>() },

  'app.quit': { input: none, output: returns<{ accepted: boolean }>() },
  'app.lastShutdownReport': { input: none, output: returns<LastShutdownReport>() },
  'app.info': { input: none, output: returns<AppInfo>() },
} as const;

export type Contract = typeof contract;
export type Channel = keyof Contract;
/** What a caller passes (defaults may be omitted). */
export type Input<C extends Channel> = z.input<Contract[C]['input']>;
/** What a handler receives after parsing. */
export type ParsedInput<C extends Channel> = z.output<Contract[C]['input']>;
export type Output<C extends Channel> = Contract[C]['output'];

export const CHANNELS = Object.keys(contract) as Channel[];

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name);
}
