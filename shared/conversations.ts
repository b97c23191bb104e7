import { z } from 'zod';
import { idSchema, LIMITS, npcIdSchema, turnIdSchema } from './ids';
import { charsWithinFrame } from './wire';
import type { ProcessorKind } from './npc';
import { personaIdSchema } from './personas';
import type { ChatHistory, TranscriptTurn } from './chat';

/** Many conversations per NPC: their summaries, settings, paging, SillyTavern import and the prompt as it was sent. */

export const conversationIdSchema = idSchema;
/** The conversation every NPC had before there were several (transcripts/<npc>/main.jsonl). */
export const MAIN_CONVERSATION = 'main';

export const CONVERSATION_LIMITS = {
  title: 120,
  authorsNote: 5_000,
  /** Turns per page of chat.page. */
  page: 200,
  /** A SillyTavern chat file as text (a long chat is a few MB). */
  importChars: Math.min(16_000_000, charsWithinFrame()),
  excerpt: 160,
} as const;

export const AUTHORS_NOTE_ROLES = ['system', 'user', 'assistant'] as const;

/** SillyTavern's Author's Note "in-chat @ depth": a message of `role`, `depth` messages from the chat's end. */
export const authorsNoteSchema = z.strictObject({
  text: z.string().max(CONVERSATION_LIMITS.authorsNote),
  depth: z.int().min(0).max(999).default(4),
  role: z.enum(AUTHORS_NOTE_ROLES).default('system'),
});
export type AuthorsNote = z.output<typeof authorsNoteSchema>;

export interface ConversationSummary {
  npcId: string;
  conversationId: string;
  title: string;
  createdAt: string;
  /** When a message was last added or changed (createdAt when none). */
  lastAt: string;
  messageCount: number;
  lastMessage?: { role: 'user' | 'assistant'; excerpt: string };
  /** The persona of this conversation; null: the default persona. */
  personaId: string | null;
  authorsNote: AuthorsNote | null;
  /** A branch: the conversation and message it was taken from (its history up to there was copied). */
  branchedFrom?: { conversationId: string; messageId: string };
  importedFrom?: { format: 'sillytavern'; fileName: string };
  /** Opening its file found problems (see chat.page / chat.history problems). */
  damaged?: boolean;
}

/** What chat.page answers: turns oldest first; `olderCursor` fetches the page before. */
export interface ChatPage {
  npcId: string;
  conversationId: string;
  turns: TranscriptTurn[];
  /** null: this page starts at the conversation's first message. */
  olderCursor: string | null;
  inProgress?: ChatHistory['inProgress'];
  problems?: string[];
}

/** What a SillyTavern import kept and dropped. */
export interface ChatImportReport {
  /** Messages imported (the metadata line is not one). */
  messages: number;
  /** Alternative replies (swipes) kept as alternatives. */
  alternatives: number;
  /** System messages and narrator notes, imported as... nothing: the studio has no system messages in a chat. */
  skipped: { line: number; reason: string }[];
  /** Fields the studio has no place for (per field, how many messages had it). */
  dropped: { field: string; count: number; why: string }[];
  userName?: string;
  characterName?: string;
}

export interface ChatImportResult {
  conversation: ConversationSummary;
  report: ChatImportReport;
}

/** Where a piece of the prompt came from. */
export type PromptSource =
  | { kind: 'system' }
  | { kind: 'card'; field?: 'description' | 'personality' | 'scenario' | 'system_prompt' | 'post_history_instructions' | 'mes_example' }
  | { kind: 'persona'; personaId?: string; name: string }
  | { kind: 'lorebook'; book: string; entry: string; comment?: string }
  | { kind: 'knowledge'; source: string; sourceId?: string }
  | { kind: 'history'; messageId?: string }
  | { kind: 'user'; messageId?: string }
  | { kind: 'authors-note' }
  | { kind: 'heading' };

export type PromptSourceKind = PromptSource['kind'];

export interface PromptPiece {
  source: PromptSource;
  text: string;
  tokens: number;
}

export interface PromptMessage {
  role: 'system' | 'user' | 'assistant';
  /** The message exactly as sent (its pieces joined). */
  text: string;
  tokens: number;
  pieces: PromptPiece[];
}

/** The prompt of one reply as it was sent (prompt viewer, "copy as text", "copy request body"). */
export interface PromptView {
  npcId: string;
  conversationId: string;
  messageId: string;
  alternative: number;
  processor?: ProcessorKind;
  model?: string;
  messages: PromptMessage[];
  /** Estimated tokens per source kind. */
  tokensBySource: Partial<Record<PromptSourceKind, number>>;
  totalTokens: number;
  contextSize?: number;
  replyReserve?: number;
  estimator: string;
  /** What the processor sent, as JSON text: Ollama's /api/chat body, or Bedrock's ConverseStream input. */
  requestBody: string;
  /**
   * false: a reply saved before the studio kept its prompt's pieces; the system prompt is kept whole,
   * the history is today's transcript up to the reply.
   */
  exact: boolean;
}

const byConversation = { npcId: npcIdSchema, conversationId: conversationIdSchema };

/** Inputs of the conversation.* channels (the contract imports them). */
export const conversationInputs = {
  list: z.strictObject({ npcId: npcIdSchema }),
  create: z.strictObject({
    npcId: npcIdSchema,
    title: z.string().trim().max(CONVERSATION_LIMITS.title).optional(),
    personaId: personaIdSchema.nullable().optional(),
  }),
  rename: z.strictObject({
    ...byConversation,
    title: z.string().trim().min(1, 'give the conversation a title').max(CONVERSATION_LIMITS.title),
  }),
  duplicate: z.strictObject(byConversation),
  delete: z.strictObject(byConversation),
  branch: z.strictObject({
    ...byConversation,
    messageId: turnIdSchema,
    title: z.string().trim().max(CONVERSATION_LIMITS.title).optional(),
  }),
  /** personaId null: the default persona; authorsNote null: none. Fields left out stay as they are. */
  configure: z.strictObject({
    ...byConversation,
    personaId: personaIdSchema.nullable().optional(),
    authorsNote: authorsNoteSchema.nullable().optional(),
  }),
  importSillyTavern: z.strictObject({
    npcId: npcIdSchema,
    fileName: z.string().min(1).max(LIMITS.shortText),
    text: z.string().min(2).max(CONVERSATION_LIMITS.importChars),
  }),
} as const;
