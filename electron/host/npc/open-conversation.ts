import { rm, unlink } from 'node:fs/promises';
import { Journal } from '../fs/journal';
import type { Logger } from '../log/logger';
import { ConversationState } from './transcript-fold';
import { draftsFileOf, compactEvent, expandEvent, readJournalOnce } from './transcript-io';
import type { PartStore } from './transcript-parts';
import { DRAFT_RECOVERED_REASON, TranscriptError } from './transcript-store-api';
import {
  storedEventSchema,
  type ConversationRef,
  type ConversationView,
  type StoredEvent,
  type TranscriptEvent,
  type TranscriptMessage,
  type TranscriptProblem,
} from './transcript-schema';

/** A conversation whose journal is open: its fold, and changes written one at a time (transcript-store.ts). */

export interface OpenConversation {
  journal: Journal<StoredEvent>;
  /** Reply drafts go to a journal of their own (<id>.drafts.jsonl), removed once no draft is open. */
  drafts: Journal<StoredEvent> | null;
  draftsFile: string;
  parts: PartStore;
  state: ConversationState;
  /** What the journal reported on open (a dropped torn record, bad lines kept in place). */
  opened: TranscriptProblem[];
  /** Changes run one at a time, so an id is checked and written before the next change reads the state. */
  queue: Promise<unknown>;
}

/**
 * Opens a conversation's journal (`file`, its folder made): folds its events, reports what it had to drop or skip,
 * and recovers the replies that were streaming when the host stopped.
 */
export async function openConversation(file: string, ref: ConversationRef, parts: PartStore, log: Logger): Promise<OpenConversation> {
  const { npcId, conversationId } = ref;
  const { journal, records, problems } = await Journal.open(file, storedEventSchema);
  const opened: TranscriptProblem[] = problems.map((p) => ({ line: p.line, reason: p.reason, dropped: p.dropped }));
  opened.push(...parts.problems.map((reason) => ({ reason, dropped: false })));
  const state = new ConversationState(npcId, conversationId);
  records.forEach((event) => state.apply(expandEvent(event, parts, opened, state), undefined, true));
  // Drafts of replies that streamed when the host stopped (older journals hold them inline).
  const draftsFile = draftsFileOf(file);
  const closed = new Set(records.flatMap((r) => ('turn' in r && r.turn && r.type !== 'reply-draft' ? [r.turn] : [])));
  const sidecar = await readJournalOnce(draftsFile);
  for (const d of sidecar.records) if (d.type === 'reply-draft' && !closed.has(d.turn)) state.apply(d as TranscriptEvent, undefined, true);
  for (const p of opened) log.warn({ file, line: p.line, dropped: p.dropped }, `transcript: ${p.reason}`);
  for (const p of state.problems) log.warn({ file }, `transcript: ${p.reason}`);
  await recoverDrafts(journal, state, log, file);
  await rm(draftsFile, { force: true });
  return { journal, drafts: null, draftsFile, parts, state, opened, queue: Promise.resolve() };
}

/** A conversation's view read once, its journal not kept open (for lists). */
export async function peekConversation(file: string, ref: ConversationRef, parts: PartStore): Promise<ConversationView> {
  const { records, problems } = await readJournalOnce(file);
  const state = new ConversationState(ref.npcId, ref.conversationId);
  const opened: TranscriptProblem[] = problems.map((p) => ({ line: p.line, reason: p.reason, dropped: false }));
  records.forEach((r) => state.apply(expandEvent(r, parts, opened, state), undefined, true));
  return state.view(opened);
}

/**
 * Builds the event from the current state, refuses it if it cannot apply (nothing written), appends it
 * (fsynced) and folds it in. Returns the message the event touched, when it touched one.
 */
export function change(
  conv: OpenConversation,
  ref: ConversationRef,
  build: (state: ConversationState) => TranscriptEvent,
): Promise<TranscriptMessage | undefined> {
  const run = conv.queue.then(async () => {
    const event = build(conv.state);
    const problem = conv.state.check(event);
    if (problem) throw new TranscriptError(ref, problem);
    if (event.type === 'reply-draft') {
      conv.drafts ??= (await Journal.open(conv.draftsFile, storedEventSchema)).journal;
      await conv.drafts.append(event);
    } else {
      // A turn id only closes drafts; a reply that wrote none does not need it on disk.
      const closes = 'turn' in event && event.turn !== undefined && conv.state.openDrafts().some((d) => d.turn === event.turn);
      const stored = 'turn' in event && event.turn !== undefined && !closes ? { ...event, turn: undefined } : event;
      await conv.journal.append(await compactEvent(stored, conv.parts, conv.state));
    }
    conv.state.apply(event);
    // The reply is saved: its drafts are no longer needed, so they cost the transcript nothing.
    if (conv.drafts && event.type !== 'reply-draft' && conv.state.openDrafts().length === 0) {
      const drafts = conv.drafts;
      conv.drafts = null;
      await drafts.close();
      await unlink(conv.draftsFile).catch(() => undefined);
    }
    return 'id' in event ? conv.state.message(event.id) : undefined;
  });
  conv.queue = run.catch(() => undefined);
  return run;
}

/**
 * Replies that were streaming when the host was killed: each becomes an interrupted reply with the text its
 * drafts saved (a continuation is appended to the reply it continued), written to the journal so the mark stays.
 */
async function recoverDrafts(journal: Journal<StoredEvent>, state: ConversationState, log: Logger, file: string): Promise<void> {
  for (const draft of state.openDrafts()) {
    const at = new Date().toISOString();
    const common = { at, text: draft.text, interrupted: true, meta: { interruptedBy: DRAFT_RECOVERED_REASON }, turn: draft.turn };
    const event: TranscriptEvent =
      draft.continues && state.canTakeSwipe(draft.continues)
        ? { type: 'text-appended', id: draft.continues, at, text: draft.text, interrupted: true, turn: draft.turn }
        : draft.swipeOf && state.canTakeSwipe(draft.swipeOf)
          ? { type: 'swipe-added', id: draft.swipeOf, ...common }
          : { type: 'message-added', id: state.nextMessageId(), role: 'assistant', ...common };
    await journal.append(event);
    state.apply(event);
    log.warn({ file, turn: draft.turn, chars: draft.text.length }, 'transcript: a reply cut by an unclean exit was recovered, interrupted');
  }
}

export async function closeJournal(conv: OpenConversation): Promise<void> {
  await conv.queue;
  await conv.journal.close();
  await conv.drafts?.close();
}
