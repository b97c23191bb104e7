import { z } from 'zod';
import type { AuthorsNote } from '../../../shared/conversations';
import { replyMetaSchema, transcriptRoleSchema, type ReplyMeta, type TranscriptRole } from '../../../shared/chat';
import { authorsNoteSchema, conversationIdSchema } from '../../../shared/conversations';
import { personaIdSchema } from '../../../shared/personas';

/**
 * A conversation is a journal of events; its current view is their fold (transcript-fold.ts).
 * Pure zod, no node modules, so the IPC contract can import the view types.
 *
 * A reply is written once, when its stream ends, as a message-added or swipe-added (`interrupted: true`
 * when stopped or cut by shutdown). While it streams, its text so far is journaled as reply-draft events
 * (a few a second) under its turn id; the final event names the turn and closes the draft. A draft still
 * open when the journal is read again (the host was killed) is recovered as an interrupted reply.
 */

/** What the studio keeps with a reply: model, token counts, what the prompt used (shared/chat.ts). */
const metaSchema = replyMetaSchema.optional();
const at = z.iso.datetime();
const messageId = z.string().regex(/^m\d+$/);
const turnId = z.string().min(1).max(80);

export const transcriptEventSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('conversation-started'),
    at,
    npcId: z.string(),
    conversationId: conversationIdSchema,
    title: z.string().optional(),
    personaId: personaIdSchema.nullable().optional(),
    /** A branch or a duplicate: where its copied messages came from. */
    branchedFrom: z.strictObject({ conversationId: conversationIdSchema, messageId }).optional(),
    importedFrom: z.strictObject({ format: z.literal('sillytavern'), fileName: z.string() }).optional(),
  }),
  /** Title, persona or author's note changed (a field left out stays as it was; null clears it). */
  z.strictObject({
    type: z.literal('conversation-configured'),
    at,
    title: z.string().optional(),
    personaId: personaIdSchema.nullable().optional(),
    authorsNote: authorsNoteSchema.nullable().optional(),
  }),
  /** A continued reply: `text` was appended to the chosen swipe of message `id` (`interrupted`: that swipe is now cut short). */
  z.strictObject({
    type: z.literal('text-appended'),
    at,
    id: messageId,
    text: z.string(),
    interrupted: z.boolean().optional(),
    turn: turnId.optional(),
  }),
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
  z.strictObject({
    type: z.literal('swipe-added'),
    at,
    id: messageId,
    text: z.string(),
    interrupted: z.boolean().optional(),
    meta: metaSchema,
    turn: turnId.optional(),
  }),
  /**
   * More text of a reply still streaming; `swipeOf` names the message a regenerated reply will be a swipe of,
   * `continues` the message a continuation will be appended to.
   */
  z.strictObject({
    type: z.literal('reply-draft'),
    at,
    turn: turnId,
    swipeOf: messageId.optional(),
    continues: messageId.optional(),
    text: z.string(),
  }),
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

/** A conversation's own settings (conversation-started and conversation-configured events). */
export interface ConversationSettings {
  title?: string;
  personaId: string | null;
  authorsNote: AuthorsNote | null;
  branchedFrom?: { conversationId: string; messageId: string };
  importedFrom?: { format: 'sillytavern'; fileName: string };
}

export interface ConversationView {
  npcId: string;
  conversationId: string;
  startedAt: string | null;
  settings: ConversationSettings;
  /** When the last event was written (startedAt when none). */
  lastAt: string | null;
  messages: TranscriptMessage[];
  problems: TranscriptProblem[];
}

export interface ConversationRef {
  npcId: string;
  conversationId: string;
}

/**
 * An event as the journal holds it: a reply's meta may hold references to prompt parts (transcript-parts.ts),
 * so it is checked against replyMetaSchema only once they are resolved.
 */
const storedMetaSchema = z.record(z.string(), z.unknown()).optional();
type WithStoredMeta<E> = E extends { meta?: unknown } ? Omit<E, 'meta'> & { meta?: Record<string, unknown> } : E;
export type StoredEvent = WithStoredMeta<TranscriptEvent>;
export const storedEventSchema = z.discriminatedUnion(
  'type',
  transcriptEventSchema.options.map((o) => ('meta' in o.shape ? o.extend({ meta: storedMetaSchema }) : o)) as unknown as [
    (typeof transcriptEventSchema.options)[number],
    ...(typeof transcriptEventSchema.options)[number][],
  ],
) as unknown as z.ZodType<StoredEvent>;
