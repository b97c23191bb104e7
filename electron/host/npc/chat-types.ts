import type { KnowledgeChunk, Usage } from '../../../shared/chat';
import type { TimedEffectState } from '../../../shared/lorebook';
import type { Npc } from '../../../shared/npc';
import type { ExecutionEngine } from '../engine/execution-engine';
import type { LorebookLookup } from '../lore/npc-lore';
import type { Logger } from '../log/logger';
import type { ChatMessage, Processor } from '../processors/processor';
import type { NpcStore } from './npc-store';
import type { ResolvedPersona } from './persona-store';
import type { ReplyText } from './reply-text';
import type { TranscriptStore } from './transcript-store';
import type { ReplyInput } from './transcript-store-api';
import type { ConversationRef, TranscriptMessage } from './transcript-schema';

/** What the chat service is given and gives back, and what one turn carries from its plan to its saved reply. */

/** Where a turn's lore chunks come from (the knowledge store, adapted by knowledge-lore.ts). */
export interface LoreRetriever {
  query(npcId: string, text: string, k: number): Promise<KnowledgeChunk[]>;
}

/** What the chat streams out; the router turns these into `chat.*` events. */
export interface ChatEvents {
  token(e: { turnId: string; npcId: string; conversationId: string; text: string; alternative: number }): void;
  /** `messageId` is left out when nothing was saved: the conversation was deleted under the turn (`conversationDeleted`). */
  done(e: {
    turnId: string;
    npcId: string;
    conversationId: string;
    alternative: number;
    interrupted: boolean;
    messageId?: string;
    conversationDeleted?: true;
  }): void;
  error(e: { turnId: string; npcId: string; conversationId: string; alternative: number; error: unknown }): void;
}

export interface ChatServiceOptions {
  engine: ExecutionEngine;
  npcs: NpcStore;
  transcripts: TranscriptStore;
  lore: LoreRetriever | null;
  /** Standalone lorebooks (attached to NPCs, or linked by a card's `extensions.world`); null: the card's own book only. */
  lorebooks?: LorebookLookup | null;
  /** The processor for an NPC's `studio.processor`; throws a clear error when it is not available. */
  processorFor(kind: Npc['studio']['processor']): Processor;
  events: ChatEvents;
  logger: Logger;
  /** Knowledge chunks retrieved per turn. */
  loreChunks?: number;
  /** A local model's trained context length (Ollama's /api/show), for the prompt budget; undefined if unknown. */
  modelContextLength?(model: string, signal: AbortSignal): Promise<number | undefined>;
  /** {{user}} when no persona store is given. */
  userName?: string;
  /** The designer's personas: a conversation's own, else the default one. */
  personas?: { resolve(personaId: string | null | undefined): ResolvedPersona } | null;
}

export interface TurnOutcome {
  turnId: string;
  /** The transcript message holding the reply ('' when the turn could not be saved). */
  messageId: string;
  text: string;
  interrupted: boolean;
  usage?: Usage;
  error?: string;
}

export interface StartedTurn {
  userMessageId?: string;
  turnId: string;
  alternative: number;
  /** Settles once the reply is saved (complete, interrupted or failed); never rejects. */
  finished: Promise<TurnOutcome>;
}

/** What a turn needs once admitted and prepared (the user's message saved, or the reply to regenerate found). */
export interface TurnPlan {
  ref: ConversationRef;
  mode: 'reply' | 'continue';
  /** The designer's message being written (send only); the reply streams meanwhile and is saved after it. */
  userSaved?: Promise<TranscriptMessage>;
  alternative: number;
  history: ChatMessage[];
  latestText: string;
  /** The message a regenerated reply becomes a swipe of (journaled with its drafts). */
  swipeOf?: string;
  /** The message a continuation is appended to (journaled with its drafts). */
  continues?: string;
  /** The conversation's lore timed effects (sticky, cooldown) as the reply before this one left them. */
  loreState?: TimedEffectState;
  /** Saves the reply and returns its message id. */
  save(reply: ReplyInput, failedEmpty: boolean): Promise<string>;
}

export interface StreamingTurn {
  npcId: string;
  conversationId: string;
  controller: AbortController;
  /** What has streamed so far. */
  reply: ReplyText;
  /** -1 until the turn is prepared (a regenerate learns its index then). */
  alternative: number;
  /** Settles when the turn has ended and written its last byte (turn-runner.ts). */
  finished?: Promise<TurnOutcome>;
  /** Its conversation is being deleted: the turn is stopped and saves nothing. */
  conversationDeleted?: boolean;
}
