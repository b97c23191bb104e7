/** Transcript shapes as the renderer sees them. */

export interface LoreEntryUsed {
  /** Lorebook entry id or name, when the card gives one. */
  id?: string;
  keys: string[];
  /** As it went into the prompt (macros replaced). */
  content: string;
  comment?: string;
  reason?: 'constant' | 'key' | 'recursive';
  matchedKeys?: string[];
  tokens?: number;
}

export interface KnowledgeChunkUsed {
  sourceId?: string;
  source: string;
  text: string;
  /** Vector distance; smaller is closer. */
  distance?: number;
}

export interface LoreUsed {
  entries: LoreEntryUsed[];
  chunks: KnowledgeChunkUsed[];
  /** Triggered entries left out for the book's token budget. */
  entriesDropped?: number;
  /** Retrieved chunks left out because the context was full. */
  chunksDropped?: number;
}

export type PromptPartName = 'system' | 'card' | 'lorebook' | 'knowledge' | 'examples' | 'history' | 'user' | 'post_history';

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
  role: 'user' | 'assistant';
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
  processor?: 'local' | 'hosted';
  usage?: { promptTokens: number; replyTokens: number; latencyMs: number };
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

export interface ExportedText {
  fileName: string;
  mime: string;
  text: string;
}
