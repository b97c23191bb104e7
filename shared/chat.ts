import { z } from 'zod';
import { replyLoreTraceSchema, type FireReason, type ReplyLoreTrace } from './lorebook-trace';
import { lorebookEntrySchema, lorebookPositionSchema, processorKindSchema, samplingSchema, type ProcessorKind } from './npc';

/** Transcript shapes as the renderer sees them, and what the host keeps with each reply to build them. */

/** Who wrote a transcript message. */
export const transcriptRoleSchema = z.enum(['user', 'assistant']);
export type TranscriptRole = z.output<typeof transcriptRoleSchema>;

/** Why a lorebook entry went into the prompt, as replies saved before the activation trace said it. */
export const LORE_TRIGGER_REASONS = ['constant', 'key', 'recursive'] as const;
export type LoreTriggerReason = (typeof LORE_TRIGGER_REASONS)[number];

/** The parts of a prompt, in the order the prompt inspector lists them. */
export const PROMPT_PARTS = ['system', 'card', 'lorebook', 'knowledge', 'examples', 'history', 'user', 'post_history'] as const;
export type PromptPartName = (typeof PROMPT_PARTS)[number];

export interface LoreEntryUsed {
  /** Lorebook entry id or name, when the card gives one. */
  id?: string;
  keys: string[];
  /** As it went into the prompt (macros replaced). */
  content: string;
  comment?: string;
  reason?: LoreTriggerReason | FireReason;
  matchedKeys?: string[];
  tokens?: number;
  /** The lorebook it is from, by name. */
  book?: string;
}

/** A retrieved knowledge chunk as the chat shows it under a reply. */
export type KnowledgeChunkUsed = Omit<KnowledgeChunk, 'id'>;

export interface LoreUsed {
  entries: LoreEntryUsed[];
  chunks: KnowledgeChunkUsed[];
  /** Triggered entries left out for the book's token budget. */
  entriesDropped?: number;
  /** Retrieved chunks left out because the context was full. */
  chunksDropped?: number;
  /** Which lorebook entries fired and why, and which were left out and why (replies since the activation trace). */
  trace?: ReplyLoreTrace;
}

export interface PromptPart {
  name: PromptPartName;
  /** Estimated tokens. */
  tokens: number;
  text?: string;
}

/** The prompt as it was sent, part by part, against the model's context window. */
export interface PromptInspection {
  contextSize: number;
  totalTokens: number;
  /** How the estimate was made, e.g. "chars/4". */
  estimator: string;
  parts: PromptPart[];
  /** Tokens kept free for the reply. */
  replyReserve?: number;
  historyKept?: number;
  /** Oldest messages trimmed to fit. */
  historyDropped?: number;
}

export type TurnStatus = 'complete' | 'streaming' | 'interrupted' | 'error';

export interface TranscriptTurn {
  id: string;
  role: TranscriptRole;
  /** The chosen alternative's text. */
  text: string;
  /** All alternatives ("swipes"); a user turn has exactly one. */
  alternatives: string[];
  chosen: number;
  status: TurnStatus;
  /** The card's first message, put in by the studio. */
  greeting?: boolean;
  createdAt: string;
  editedAt?: string;
  model?: string;
  processor?: ProcessorKind;
  usage?: Pick<Usage, 'promptTokens' | 'replyTokens' | 'latencyMs'>;
  error?: string;
  lore?: LoreUsed;
  prompt?: PromptInspection;
}

/** A reply still streaming: its text so far, so a page opened mid-reply can show it. */
export interface ReplyInProgress {
  turnId: string;
  alternative: number;
  text: string;
}

export interface ChatHistory {
  npcId: string;
  turns: TranscriptTurn[];
  inProgress?: ReplyInProgress[];
  /** What opening the transcript found wrong (a torn last record dropped, unreadable lines skipped). */
  problems?: string[];
}

/**
 * `turnId` names one streaming reply (events carry it; chat.stop takes it). The reply is saved as a
 * transcript turn with its own id when it ends (chat.done carries `messageId`).
 */
export interface ChatSendResult {
  /** The user's message, saved before the reply starts. */
  userTurnId?: string;
  turnId: string;
}

export interface ChatRegenerateResult {
  turnId: string;
  /** Index of the new alternative being streamed. */
  alternative: number;
  /** The transcript turn that gets the new alternative. */
  messageId: string;
}

/**
 * What chat.impersonate answers: the drafted line, or `stopped: true` when the designer stopped it
 * (chat.stopImpersonate); `text` then holds what was drafted so far. Nothing is saved either way.
 */
export interface ImpersonateResult {
  text: string;
  stopped: boolean;
}

export interface ExportedText {
  fileName: string;
  mime: string;
  text: string;
}

/**
 * A lorebook entry that triggered, as replies saved before the activation trace kept it (read, never written:
 * `promptUsedSchema.lore` replaced it).
 */
export const triggeredEntrySchema = z.object({
  /** Index in character_book.entries. */
  index: z.number(),
  /** The lorebook entry as the card has it. */
  entry: lorebookEntrySchema,
  /** The content as it goes into the prompt (macros replaced). */
  content: z.string(),
  position: lorebookPositionSchema,
  reason: z.enum(LORE_TRIGGER_REASONS),
  /** The primary key that matched (and the secondary one, for selective entries). */
  matchedKeys: z.array(z.string()),
  tokens: z.number(),
});

/** A piece of an NPC's knowledge retrieved for a turn. */
export const knowledgeChunkSchema = z.object({
  /** The chunk's id, when retrieval gives one. */
  id: z.string().optional(),
  /** The knowledge source it belongs to. */
  sourceId: z.string().optional(),
  /** Where it came from (file name, URL, note title), shown in the prompt and the UI. */
  source: z.string(),
  text: z.string(),
  /** Vector distance; smaller is closer. */
  distance: z.number(),
});

/** The context window as a turn divides it. */
export const promptBudgetSchema = z.object({
  numCtx: z.number(),
  /** Tokens kept free for the reply (the NPC's maxTokens, or the default). */
  replyReserve: z.number(),
  /** numCtx − replyReserve: what the prompt may use. */
  available: z.number(),
});

/** What went into a turn's prompt and what was left out, for the prompt inspector. */
export const promptUsedSchema = z.object({
  /** Older replies only: what went in and what the budget left out. */
  lorebookEntries: z.array(triggeredEntrySchema).optional(),
  lorebookDropped: z.array(triggeredEntrySchema).optional(),
  /** The lore activation trace: entries that fired (in insertion order) and why, the ones left out and why. */
  lore: replyLoreTraceSchema.optional(),
  chunks: z.array(knowledgeChunkSchema.extend({ tokens: z.number() })),
  /** Retrieved but left out: the context was full once the required parts were in. */
  chunksDropped: z.array(knowledgeChunkSchema),
  historyKept: z.number(),
  /** Oldest messages trimmed to fit. */
  historyDropped: z.number(),
  /** Estimated tokens per part; `system`, `card`, `lorebook`, `knowledge`, `examples` add up to the system prompt. */
  tokens: z.record(z.enum(PROMPT_PARTS), z.number()),
  totalTokens: z.number(),
  budget: promptBudgetSchema,
  estimator: z.string(),
});

/** What a processor reports for one call. */
export const usageSchema = z.object({
  promptTokens: z.number(),
  replyTokens: z.number(),
  /** Wall time of the whole call as the processor measured it. */
  latencyMs: z.number(),
  /** Model-side durations where the backend reports them. */
  totalDurationMs: z.number().optional(),
  loadDurationMs: z.number().optional(),
  promptEvalDurationMs: z.number().optional(),
  evalDurationMs: z.number().optional(),
});

/** Where a piece of a sent prompt came from (shared/conversations.ts PromptSource is what the viewer shows). */
export const PROMPT_PIECE_KINDS = [
  'system',
  'card',
  'persona',
  'lorebook',
  'knowledge',
  'heading',
  'authors-note',
  'user',
  'history',
] as const;

/** One piece of a sent message: its text and source; `sep` is what joins it to the piece before. */
export const sentPieceSchema = z.object({
  kind: z.enum(PROMPT_PIECE_KINDS),
  text: z.string(),
  sep: z.string().optional(),
  /** lorebook: the book's name and the entry's id or name. */
  book: z.string().optional(),
  entry: z.string().optional(),
  /** knowledge: the chunk's source. */
  source: z.string().optional(),
  sourceId: z.string().optional(),
});

/**
 * A message as sent: its pieces, or `history` transcript messages (the next ones of the history kept), or
 * `latest`: the transcript message the reply answers. The history is the transcript itself, not copied.
 */
export const sentMessageSchema = z.union([
  z.object({ role: z.enum(['system', 'user', 'assistant']), pieces: z.array(sentPieceSchema) }),
  z.object({ history: z.int().min(1) }),
  z.object({ latest: z.literal(true) }),
]);

/** The prompt of a reply as it was sent, for the prompt viewer and the request body. */
export const sentPromptSchema = z.object({
  messages: z.array(sentMessageSchema),
  sampling: samplingSchema.optional(),
});

/**
 * What the host keeps with a reply in the transcript journal (electron/host/npc/chat-service.ts writes it,
 * ipc/handlers/transcript-turns.ts turns it into a TranscriptTurn). Loose: keys a later version adds are kept.
 */
export const replyMetaSchema = z.looseObject({
  processor: processorKindSchema.optional(),
  model: z.string().optional(),
  usage: usageSchema.optional(),
  error: z.string().optional(),
  /** Why a partial reply was cut: stopped by the user, or the shutdown drain deadline. */
  interruptedBy: z.string().optional(),
  used: promptUsedSchema.optional(),
  /** Replies before `sent`: the prompt's parts that are not in the transcript already (the history is not copied). */
  prompt: z.object({ system: z.string(), user: z.string(), postHistory: z.array(z.string()) }).optional(),
  /** The prompt as sent, piece by piece with sources (stored compactly: transcript-parts.ts). */
  sent: sentPromptSchema.optional(),
  /** The persona the designer played (its id, when one was chosen). */
  personaId: z.string().optional(),
});

export type TriggeredEntry = z.output<typeof triggeredEntrySchema>;
export type KnowledgeChunk = z.output<typeof knowledgeChunkSchema>;
export type PromptBudget = z.output<typeof promptBudgetSchema>;
export type PromptUsed = z.output<typeof promptUsedSchema>;
export type Usage = z.output<typeof usageSchema>;
export type ReplyMeta = z.output<typeof replyMetaSchema>;
export type SentPiece = z.output<typeof sentPieceSchema>;
export type SentMessage = z.output<typeof sentMessageSchema>;
export type SentPrompt = z.output<typeof sentPromptSchema>;
