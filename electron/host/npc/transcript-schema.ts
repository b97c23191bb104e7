import { z } from 'zod';

/**
 * A conversation is a journal of events; its current view is their fold (transcript-fold.ts).
 * Pure zod, no node modules, so the IPC contract can import the view types.
 *
 * An interrupted reply (stopped, or cut by shutdown) is written once, when its stream ends, as a
 * message-added or swipe-added with `interrupted: true`; there is no separate event for it.
 */

/** Safe as a path segment: ids name folders and files. */
export const conversationIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, { message: 'must be 1-64 letters, digits, "-" or "_", starting with a letter or digit' });

export const transcriptRoleSchema = z.enum(['user', 'assistant']);

/** What the processor reported for a reply: model, token counts, timings. Free-form for the UI. */
const metaSchema = z.record(z.string(), z.unknown()).optional();
const at = z.iso.datetime();
const messageId = z.string().regex(/^m\d+$/);

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
  }),
  z.strictObject({ type: z.literal('message-edited'), at, id: messageId, text: z.string() }),
  z.strictObject({ type: z.literal('message-deleted'), at, id: messageId }),
  z.strictObject({ type: z.literal('swipe-added'), at, id: messageId, text: z.string(), interrupted: z.boolean().optional(), meta: metaSchema }),
  z.strictObject({ type: z.literal('swipe-chosen'), at, id: messageId, index: z.int().min(0) }),
]);

export type TranscriptEvent = z.output<typeof transcriptEventSchema>;
export type TranscriptRole = z.output<typeof transcriptRoleSchema>;

export interface Swipe {
  text: string;
  at: string;
  interrupted: boolean;
  editedAt?: string;
  meta?: Record<string, unknown>;
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
  meta?: Record<string, unknown>;
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
