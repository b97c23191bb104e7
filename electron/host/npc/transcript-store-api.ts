import type { ReplyMeta } from '../../../shared/chat';
import type { AuthorsNote } from '../../../shared/conversations';
import type { ConversationRef, ConversationSettings, TranscriptMessage, TranscriptProblem } from './transcript-schema';

/** What the transcript store (transcript-store.ts) takes and gives. */

export interface ReplyInput {
  text: string;
  /** A partial reply (stopped by the user, or cut by shutdown). */
  interrupted?: boolean;
  meta?: ReplyMeta;
  /** The streamed turn this reply ends: closes its reply-draft events. */
  turn?: string;
}

/** Why a recovered draft ended: the host stopped without saving it. */
export const DRAFT_RECOVERED_REASON = 'NPC Studio ended before this reply finished; the text is what was saved while it streamed';

/** A page of a conversation, oldest first; `olderCursor` names the page before (null: none). */
export interface TranscriptPage {
  messages: TranscriptMessage[];
  olderCursor: string | null;
  problems: TranscriptProblem[];
}

/** What a new conversation written whole (branch, duplicate, import) starts with. */
export interface ConversationSeed {
  title?: string;
  personaId?: string | null;
  authorsNote?: AuthorsNote | null;
  branchedFrom?: ConversationSettings['branchedFrom'];
  importedFrom?: ConversationSettings['importedFrom'];
  messages: TranscriptMessage[];
}

export interface ConversationInfo {
  conversationId: string;
  bytes: number;
  modifiedAt: string;
}

export class TranscriptError extends Error {
  constructor(ref: ConversationRef, reason: string) {
    super(`conversation ${ref.npcId}/${ref.conversationId}: ${reason}`);
    this.name = 'TranscriptError';
  }
}
