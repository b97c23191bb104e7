import { z } from 'zod';
import type { ChatHistory, ChatRegenerateResult, ChatSendResult, ExportedText, ImpersonateResult, TranscriptTurn } from './chat';
import type { HealthHistory, HealthSnapshot, ProviderInfo } from './health';
import { idSchema, LIMITS, npcIdSchema, sourceIdSchema, turnIdSchema } from './ids';
import type { IngestResult, KnowledgeSources, ReindexResult, SearchHit } from './knowledge';
import { LOG_LEVELS, type LogLine } from './logs';
import { lorebookSchema } from './lorebook';
import {
  LOREBOOK_EXPORT_FORMATS,
  LOREBOOK_FILE_CHARS,
  lorebookDraftSchema,
  lorebookIdSchema,
  type LorebookRecord,
  type LorebookSummary,
} from './lorebook-record';
import type { ActivationTrace, TracedBook } from './lorebook-trace';
import {
  conversationIdSchema,
  conversationInputs,
  CONVERSATION_LIMITS,
  type ChatImportResult,
  type ChatPage,
  type ConversationSummary,
  type PromptView,
} from './conversations';
import { personaDraftSchema, personaIdSchema, type Persona, type PersonaList } from './personas';
import { modelNameSchema, type ModelDetails, type ModelList } from './models';
import { CARD_LIMITS, npcDraftSchema, type Npc, type NpcSummary } from './npc';
import { settingsSchema, type Settings, type SettingsSetResult } from './settings';
import type { LastShutdownReport } from './shutdown';
import type { UsageSummary } from './usage';
import { runIdSchema, runRequestSchema, suiteSchema, type RunDiff, type RunFile, type RunSummary, type Suite } from './suite';
import { externalLinkSchema } from './links';

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
/** Chat channels name a conversation; without one, the NPC's main conversation (the one from before there were several). */
const inConversation = { npcId: npcIdSchema, conversationId: conversationIdSchema.optional() };
const byTurn = z.strictObject({ ...inConversation, turnId: turnIdSchema });

export interface ExportedCard {
  fileName: string;
  mime: 'application/json' | 'image/png' | 'application/zip';
  /** JSON text, or base64 for PNG and CHARX. */
  data: string;
  encoding: 'utf8' | 'base64';
}

/** An NPC's card art (PNG, JPEG or WebP). */
export interface NpcArtInfo {
  mime: 'image/png' | 'image/jpeg' | 'image/webp';
  width: number;
  height: number;
  bytes: number;
}

/** A file's bytes as base64, at most CARD_LIMITS.cardFileBytes (or `maxBytes`) once decoded. */
function base64File(maxBytes: number = CARD_LIMITS.cardFileBytes) {
  const maxChars = Math.ceil(maxBytes / 3) * 4;
  return z
    .string()
    .min(8)
    .max(maxChars, { message: `the file may be at most ${(maxBytes / 1024 / 1024).toFixed(1)} MB` })
    .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64');
}

/** What `lorebook.try` answers: the full trace (every entry, fired or not) and the books by name. */
export interface LoreTryResult {
  trace: ActivationTrace;
  books: TracedBook[];
  /** Attached lorebooks that no longer exist, and a world link that names none. */
  missing: string[];
}

/** A data file the studio could not use as it was. It is kept (only a torn last journal record is cut off). */
export interface DataProblem {
  area: 'settings' | 'npc' | 'lorebook' | 'transcript' | 'usage' | 'shutdown-report';
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
  /** The Ollama this run talks to (in demo, the demo's own server, whatever settings.json says). */
  ollamaUrl?: string;
  /** Damaged data files found at start (transcripts: see chat.history, they open on first use). */
  problems: DataProblem[];
}

export const contract = {
  'npc.list': { input: none, output: returns<NpcSummary[]>() },
  'npc.get': { input: z.strictObject({ id: idSchema }), output: returns<Npc>() },
  'npc.save': { input: npcDraftSchema, output: returns<Npc>() },
  'npc.delete': { input: z.strictObject({ id: idSchema }), output: returns<{ deleted: boolean }>() },
  'npc.importCard': {
    input: z.discriminatedUnion('format', [
      z.strictObject({ format: z.literal('json'), text: z.string().min(2).max(CARD_LIMITS.cardFileChars) }),
      z.strictObject({ format: z.literal('png'), base64: base64File() }),
      z.strictObject({ format: z.literal('charx'), base64: base64File() }),
    ]),
    output: returns<Npc>(),
  },
  /** json: V2 with the V1 fields beside spec/data; json-v3: V3; png: the art with both chunks; charx: V3 zip. */
  'npc.exportCard': {
    input: z.strictObject({ id: idSchema, format: z.enum(['json', 'json-v3', 'png', 'charx']) }),
    output: returns<ExportedCard>(),
  },
  'npc.getArt': { input: z.strictObject({ id: idSchema }), output: returns<(NpcArtInfo & { base64: string }) | null>() },
  'npc.setArt': {
    input: z.strictObject({ id: idSchema, base64: base64File(CARD_LIMITS.artBytes) }),
    output: returns<NpcArtInfo>(),
  },

  'lorebook.list': { input: none, output: returns<LorebookSummary[]>() },
  'lorebook.get': { input: z.strictObject({ id: lorebookIdSchema }), output: returns<LorebookRecord>() },
  'lorebook.save': { input: lorebookDraftSchema, output: returns<LorebookRecord>() },
  'lorebook.delete': { input: z.strictObject({ id: lorebookIdSchema }), output: returns<{ deleted: boolean; detachedFrom: string[] }>() },
  /** A SillyTavern World Info file, a V3 lorebook_v3 file or a card's character_book, as JSON text. */
  'lorebook.import': {
    input: z.strictObject({ fileName: z.string().min(1).max(LIMITS.shortText), text: z.string().min(2).max(LOREBOOK_FILE_CHARS) }),
    output: returns<LorebookRecord>(),
  },
  /** st: SillyTavern World Info JSON; v3: a `lorebook_v3` file. */
  'lorebook.export': {
    input: z.strictObject({ id: lorebookIdSchema, format: z.enum(LOREBOOK_EXPORT_FORMATS) }),
    output: returns<ExportedText>(),
  },
  /** Attaches the lorebook to exactly these NPCs (and detaches it from every other one). */
  'lorebook.attach': {
    input: z.strictObject({ id: lorebookIdSchema, npcIds: z.array(npcIdSchema).max(LIMITS.list) }),
    output: returns<LorebookSummary>(),
  },
  /**
   * Which entries would fire for a message: of `book` as edited (not yet saved) alone, or with `npcId` of
   * that NPC's books too (its card's own, attached, linked; `book` replaces the stored one of the same id).
   */
  'lorebook.try': {
    input: z.strictObject({
      message: z.string().trim().min(1, 'type a message to try').max(LIMITS.chatText),
      book: z.strictObject({ id: lorebookIdSchema.optional(), name: z.string().max(LIMITS.shortText), book: lorebookSchema }).optional(),
      npcId: npcIdSchema.optional(),
      history: z
        .array(z.strictObject({ role: z.enum(['user', 'assistant']), content: z.string().max(LIMITS.chatText) }))
        .max(LIMITS.list)
        .default([]),
      seed: z.number().int().default(1),
    }),
    output: returns<LoreTryResult>(),
  },

  'chat.send': {
    input: z.strictObject({ ...inConversation, text: z.string().trim().min(1, 'say something').max(LIMITS.chatText) }),
    output: returns<ChatSendResult>(),
  },
  /** turnId: the streaming reply's id (from chat.send / chat.regenerate / chat.continue). */
  'chat.stop': { input: byTurn, output: returns<{ stopped: boolean }>() },
  /** turnId: the transcript turn (the last reply) to add an alternative to. */
  'chat.regenerate': { input: byTurn, output: returns<ChatRegenerateResult>() },
  'chat.chooseSwipe': {
    input: z.strictObject({ ...inConversation, turnId: turnIdSchema, index: z.number().int().min(0).max(999) }),
    output: returns<TranscriptTurn>(),
  },
  'chat.edit': {
    input: z.strictObject({ ...inConversation, turnId: turnIdSchema, text: z.string().min(1).max(LIMITS.chatText) }),
    output: returns<TranscriptTurn>(),
  },
  'chat.delete': { input: byTurn, output: returns<{ deleted: boolean }>() },
  /** The whole conversation (short ones); long ones are read with chat.page. */
  'chat.history': { input: z.strictObject(inConversation), output: returns<ChatHistory>() },
  /** The newest `limit` turns, or the ones before `cursor` (a page's olderCursor). */
  'chat.page': {
    input: z.strictObject({
      ...inConversation,
      cursor: z.string().min(1).max(100).optional(),
      limit: z.number().int().min(1).max(CONVERSATION_LIMITS.page).default(50),
    }),
    output: returns<ChatPage>(),
  },
  'chat.export': {
    input: z.strictObject({ ...inConversation, format: z.enum(['json', 'markdown']) }),
    output: returns<ExportedText>(),
  },
  /** The prompt a reply was made from: every message, each piece with its source and tokens, and the request body. */
  'chat.prompt': {
    input: z.strictObject({ ...inConversation, turnId: turnIdSchema, alternative: z.number().int().min(0).max(999).optional() }),
    output: returns<PromptView>(),
  },
  /** Extends the last reply `turnId`: the new text streams (chat.token) and is appended to the chosen alternative. */
  'chat.continue': { input: byTurn, output: returns<ChatRegenerateResult>() },
  /** Drafts the designer's next line in their persona's voice; nothing is saved. One at a time per conversation. */
  'chat.impersonate': { input: z.strictObject(inConversation), output: returns<ImpersonateResult>() },
  /** Stops the conversation's impersonation (which then answers `stopped: true`); `stopped: false` when none is running. */
  'chat.stopImpersonate': { input: z.strictObject(inConversation), output: returns<{ stopped: boolean }>() },
  /** Replaces the text of the user message `turnId`, deletes every message after it and answers it again. */
  'chat.editAndResend': {
    input: z.strictObject({
      ...inConversation,
      turnId: turnIdSchema,
      text: z.string().trim().min(1, 'say something').max(LIMITS.chatText),
    }),
    output: returns<ChatSendResult>(),
  },

  'conversation.list': { input: conversationInputs.list, output: returns<ConversationSummary[]>() },
  'conversation.create': { input: conversationInputs.create, output: returns<ConversationSummary>() },
  'conversation.rename': { input: conversationInputs.rename, output: returns<ConversationSummary>() },
  'conversation.duplicate': { input: conversationInputs.duplicate, output: returns<ConversationSummary>() },
  'conversation.delete': { input: conversationInputs.delete, output: returns<{ deleted: boolean }>() },
  /** A new conversation with this one's messages up to and including `messageId` (copied). */
  'conversation.branch': { input: conversationInputs.branch, output: returns<ConversationSummary>() },
  /** The conversation's persona and author's note. */
  'conversation.configure': { input: conversationInputs.configure, output: returns<ConversationSummary>() },
  /** A SillyTavern chat file (.jsonl) as a new conversation of the NPC, with what was kept and dropped. */
  'conversation.importSillyTavern': { input: conversationInputs.importSillyTavern, output: returns<ChatImportResult>() },

  'persona.list': { input: none, output: returns<PersonaList>() },
  'persona.save': { input: personaDraftSchema, output: returns<Persona>() },
  /** Conversations that used it fall back to the default persona. */
  'persona.delete': { input: z.strictObject({ id: personaIdSchema }), output: returns<{ deleted: boolean }>() },
  'persona.setDefault': { input: z.strictObject({ id: personaIdSchema.nullable() }), output: returns<PersonaList>() },

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

  /** Ollama's models: on disk (tags) and loaded (ps). */
  'models.list': { input: none, output: returns<ModelList>() },
  'models.show': { input: z.strictObject({ model: modelNameSchema }), output: returns<ModelDetails>() },
  /** Starts a pull; progress comes as `models.pull` events with this pullId. */
  'models.pull': { input: z.strictObject({ model: modelNameSchema }), output: returns<{ pullId: string }>() },
  'models.cancelPull': { input: z.strictObject({ pullId: z.string().min(1).max(100) }), output: returns<{ cancelled: boolean }>() },
  'models.delete': { input: z.strictObject({ model: modelNameSchema }), output: returns<{ deleted: boolean }>() },

  'providers.list': { input: none, output: returns<ProviderInfo[]>() },
  'providers.health': { input: none, output: returns<HealthSnapshot>() },
  /** The charts' last 15 minutes (samples are taken while the health beat runs). */
  'providers.history': { input: none, output: returns<HealthHistory>() },
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
  /** Opens a confirmed link from a reply in the system browser (the desktop app; a browser opens links itself). */
  'app.openExternal': { input: z.strictObject({ url: externalLinkSchema }), output: returns<{ opened: true }>() },
  /** A zip for a bug report: health, last shutdown report, log tail, settings without secrets (base64). */
  'app.diagnostics': { input: none, output: returns<{ fileName: string; base64: string; bytes: number }>() },

  /** NPC behaviour tests (shared/suite.ts): one suite per NPC, runs against backends, their history and diff. */
  'suite.list': { input: none, output: returns<{ npcId: string; cases: number }[]>() },
  'suite.get': { input: byNpc, output: returns<Suite | null>() },
  'suite.save': { input: suiteSchema, output: returns<Suite>() },
  /** Turns a chat exchange (the reply `turnId` and the designer's message before it) into a new case of the suite. */
  'suite.addFromChat': { input: byTurn, output: returns<{ suite: Suite; caseName: string }>() },
  /** Starts a run; `suite.progress` events follow, and the run file is in `suite.runs` once it ends. */
  'suite.run': { input: runRequestSchema, output: returns<{ runId: string; planned: number }>() },
  'suite.stop': { input: z.strictObject({ runId: runIdSchema }), output: returns<{ stopped: boolean }>() },
  'suite.runs': { input: byNpc, output: returns<RunSummary[]>() },
  'suite.runGet': { input: z.strictObject({ npcId: npcIdSchema, runId: runIdSchema }), output: returns<RunFile>() },
  /** The run against the NPC's run before it: regressions per case × backend. */
  'suite.diff': { input: z.strictObject({ npcId: npcIdSchema, runId: runIdSchema }), output: returns<RunDiff>() },
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
