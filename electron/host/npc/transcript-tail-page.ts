import { access } from 'node:fs/promises';
import { UnresolvedReference } from './reply-meta-codec';
import { ConversationState } from './transcript-fold';
import { draftsFileOf, expandEvent } from './transcript-io';
import type { PartStore } from './transcript-parts';
import type { TranscriptPage } from './transcript-store-api';
import type { ConversationRef, TranscriptEvent, TranscriptProblem } from './transcript-schema';
import { readTailPage } from './transcript-tail';

/** Messages read before a page from the journal's end, for the matches its replies point to. */
const TAIL_CONTEXT = 16;

/**
 * The newest `limit` messages of a conversation not open, read from the journal's end (transcript-tail.ts) and
 * folded; null when the journal must be read whole instead (drafts left, something unusual, a reply pointing to a
 * message before what was read).
 */
export async function pageFromEnd(
  file: string,
  ref: ConversationRef,
  limit: number,
  partsOf: () => Promise<PartStore>,
): Promise<TranscriptPage | null> {
  const sidecar = await access(draftsFileOf(file)).then(
    () => true,
    () => false,
  );
  if (sidecar) return null;
  let tail;
  try {
    tail = await readTailPage(file, limit + TAIL_CONTEXT);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  if (!tail) return null;
  const parts = await partsOf();
  const problems: TranscriptProblem[] = parts.problems.map((reason) => ({ reason, dropped: false }));
  const state = new ConversationState(ref.npcId, ref.conversationId);
  // Messages read before the page are context: replies in the page may point to them (lore matches).
  const unresolved = new Set<string>();
  const found: { id?: string; problems: TranscriptProblem[] }[] = [];
  for (const e of tail.events) {
    const id = 'id' in e ? e.id : undefined;
    const eventProblems: TranscriptProblem[] = [];
    let event: TranscriptEvent;
    try {
      event = expandEvent(e, parts, eventProblems, state, true);
    } catch (err) {
      if (!(err instanceof UnresolvedReference) || id === undefined) throw err;
      unresolved.add(id);
      event = expandEvent(e, parts, [], state);
    }
    found.push({ ...(id !== undefined ? { id } : {}), problems: eventProblems });
    state.apply(event, undefined, true);
  }
  const messages = state.pageBefore(undefined, limit);
  if (messages.some((m) => unresolved.has(m.id))) return null;
  // What the context messages' details had wrong is not the page's to report.
  const onPage = new Set(messages.map((m) => m.id));
  for (const f of found) if (f.id === undefined || onPage.has(f.id)) problems.push(...f.problems);
  const hasOlder = tail.hasOlder || state.messageCount() > messages.length;
  return { messages, olderCursor: hasOlder && messages.length ? messages[0]!.id : null, problems: [...problems, ...state.problems] };
}
