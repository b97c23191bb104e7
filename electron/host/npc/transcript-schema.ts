import { z } from 'zod';
import { replyMetaSchema, transcriptRoleSchema, type ReplyMeta, type TranscriptRole } from '../../../shared/chat';
import { idSchema } from '../../../shared/ids';

/**
 * A conversation is a journal of events; its current view is their fold (transcript-fold.ts).
 * Pure zod, no node modules, so the IPC contract can import the view types.
 *
 * A reply is written once, when its stream ends, as a message-added or swipe-added (`interrupted: true`
 * when stopped or cut by shutdown). While it streams, its text so far is journaled as reply-draft events
 * (a few a second) under its turn id; the final event names the turn and closes the draft. A draft still
 * open when the journal is read again (the host was killed) is recovered as an interrupted reply.
 */

/** Safe as a path segment: ids name folders and files. */
export const conversationIdSchema = idSchema;

/** What the studio keeps with a reply: model, token counts, what the prompt used (shared/chat.ts). */
const metaSchema = replyMetaSchema.optional();
const at = z.iso.datetime();
const messageId = z.string().regex(/^m\d+$/);
const turnId = z.string().min(1).max(80);

export const transcriptEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('conversation-started'), at, npcId: z.string(), conversationId: conversationIdSchema }),
  z.strictObject({
    type: z.literal('message-added'),
    at,
    id: messageId,
    role: transcriptRoleSchema,
    text: z.string(),
    interrupted: z.boolean().optional(),
    /** Further texts offered as swipes of this message: the alternate greetings of the first one. */
    alternatives: z.array(z.string()).optional(),
    greeting: z.boolean().optional(),
    meta: metaSchema,
    /** The streamed turn this reply ends (closes its drafts). */
    turn: turnId.optional(),
  }),
  z.strictObject({ type: z.literal('message-edited'), at, id: messageId, text: z.string() }),
  z.strictObject({ type: z.literal('message-deleted'), at, id: messageId }),
  z.strictObject({ type: z.literal('swipe-added'), at, id: messageId, text: z.string(), interrupted: z.boolean().optional(), meta: metaSchema, turn: turnId.optional() }),
  /** More text of a reply still streaming; `swipeOf` names the message a regenerated reply will be a swipe of. */
  z.strictObject({ type: z.literal('reply-draft'), at, turn: turnId, swipeOf: messageId.optional(), text: z.string() }),
  z.strictObject({ type: z.literal('swipe-chosen'), at, id: messageId, index: z.int().min(0) }),
]);

export type TranscriptEvent = z.output<typeof transcriptEventSchema>;

export interface Swipe {
  text: string;
  at: string;
  interrupted: boolean;
  editedAt?: string;
  meta?: ReplyMeta;
}

export interface TranscriptMessage {
  id: string;
  role: TranscriptRole;
  /** The chosen swipe's text. */
  text: string;
  interrupted: boolean;
  swipes: Swipe[];
  chosen: number;
  greeting: boolean;
  createdAt: string;
  /** When the chosen swipe was last edited. */
  editedAt?: string;
  /** The chosen swipe's meta. */
  meta?: ReplyMeta;
}

export interface TranscriptProblem {
  line?: number;
  reason: string;
  /** True when the record was cut off the file (a torn last write). */
  dropped: boolean;
}

export interface ConversationView {
  npcId: string;
  conversationId: string;
  startedAt: string | null;
  messages: TranscriptMessage[];
  problems: TranscriptProblem[];
}

export interface ConversationRef {
  npcId: string;
  conversationId: string;
}
