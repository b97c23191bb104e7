import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { journalLineProblem } from '../fs/journal';
import { replyMetaSchema } from '../../../shared/chat';
import { conversationIdSchema } from '../../../shared/conversations';
import { decodeReplyMeta, encodeReplyMeta, UnresolvedReference, type MessageLookup } from './reply-meta-codec';
import type { PartStore } from './transcript-parts';
import type { ConversationInfo } from './transcript-store-api';
import {
  storedEventSchema,
  type StoredEvent,
  type TranscriptEvent,
  type TranscriptMessage,
  type TranscriptProblem,
} from './transcript-schema';

/** How conversations sit on disk: file names, events written whole, and a reply's meta compacted and expanded. */

/** `<id>.jsonl`, not a drafts file nor the parts file. */
export function isConversationFile(name: string): boolean {
  return name.endsWith('.jsonl') && conversationIdSchema.safeParse(name.slice(0, -'.jsonl'.length)).success;
}

/** An NPC's conversations (its folder's journals), newest change first. */
export async function conversationFiles(folder: string): Promise<ConversationInfo[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const infos: ConversationInfo[] = [];
  for (const name of names.filter(isConversationFile)) {
    const s = await stat(join(folder, name));
    infos.push({ conversationId: name.slice(0, -'.jsonl'.length), bytes: s.size, modifiedAt: s.mtime.toISOString() });
  }
  return infos.sort((a, b) => b.modifiedAt.localeCompare(a.modifiedAt));
}

export function draftsFileOf(file: string): string {
  return file.replace(/\.jsonl$/, '.drafts.jsonl');
}

/** A journal's records without keeping it open (or truncating it): for lists and reply drafts. */
export async function readJournalOnce(file: string): Promise<{ records: StoredEvent[]; problems: { line: number; reason: string }[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], problems: [] };
    throw err;
  }
  const records: StoredEvent[] = [];
  const problems: { line: number; reason: string }[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line === '') return;
    const problem = journalLineProblem(line, storedEventSchema);
    if (problem === null) records.push(storedEventSchema.parse(JSON.parse(line)));
    else if (i < lines.length - 1) problems.push({ line: i + 1, reason: problem });
  });
  return { records, problems };
}

/** The events that write `m` whole: its first swipe, the others as swipes (meta kept), their edits, and the choice. */
export function messageEvents(m: TranscriptMessage): TranscriptEvent[] {
  const [first, ...rest] = m.swipes;
  const events: TranscriptEvent[] = [
    {
      type: 'message-added',
      at: m.createdAt,
      id: m.id,
      role: m.role,
      text: first?.text ?? m.text,
      ...(first?.interrupted ? { interrupted: true } : {}),
      ...(m.greeting ? { greeting: true } : {}),
      ...(first?.meta ? { meta: first.meta } : {}),
    },
  ];
  const asAlternatives = m.greeting && rest.every((s) => !s.meta);
  if (asAlternatives) {
    if (rest.length) (events[0] as { alternatives?: string[] }).alternatives = rest.map((s) => s.text);
  } else {
    for (const s of rest) {
      events.push({
        type: 'swipe-added',
        at: s.at,
        id: m.id,
        text: s.text,
        ...(s.interrupted ? { interrupted: true } : {}),
        ...(s.meta ? { meta: s.meta } : {}),
      });
    }
  }
  // An edit applies to the chosen swipe: each edited one is chosen in turn, then the choice is set as it was.
  let chosen = asAlternatives ? 0 : Math.max(0, m.swipes.length - 1);
  m.swipes.forEach((s, index) => {
    if (!s.editedAt) return;
    if (index !== chosen) events.push({ type: 'swipe-chosen', at: m.createdAt, id: m.id, index });
    chosen = index;
    events.push({ type: 'message-edited', at: s.editedAt, id: m.id, text: s.text });
  });
  if (m.chosen !== chosen) events.push({ type: 'swipe-chosen', at: m.createdAt, id: m.id, index: m.chosen });
  return events;
}

/**
 * The event as the journal holds it: its meta in short encodings (reply-meta-codec.ts, against the conversation as
 * it stands before the event), then its long strings and large objects as part references.
 */
export async function compactEvent(event: TranscriptEvent, parts: PartStore, conversation: MessageLookup): Promise<StoredEvent> {
  if (!('meta' in event) || !event.meta) return event as StoredEvent;
  const encoded = encodeReplyMeta(event.meta, event.id, conversation);
  return { ...event, meta: (await parts.compact(encoded)) as Record<string, unknown> } as StoredEvent;
}

/**
 * The event with its meta's references resolved and checked; meta that does not check is dropped (text kept).
 * `conversation` is the fold before the event. With `strict` a match in a message the fold does not hold (a page read
 * from the journal's end) throws UnresolvedReference; otherwise it is reported and marked.
 */
export function expandEvent(
  event: StoredEvent,
  parts: PartStore,
  problems: TranscriptProblem[],
  conversation: MessageLookup,
  strict = false,
): TranscriptEvent {
  if (!('meta' in event) || !event.meta) return event as TranscriptEvent;
  const missing: string[] = [];
  const what = `${event.type} ${'id' in event ? event.id : ''}`;
  const expanded = parts.expand(event.meta, missing) as Record<string, unknown>;
  let decoded: Record<string, unknown>;
  try {
    decoded = decodeReplyMeta(expanded, event.id, conversation);
  } catch (err) {
    if (strict || !(err instanceof UnresolvedReference)) throw err;
    problems.push({ reason: `${what}: a lore match points to ${err.messageId}, which the journal no longer holds`, dropped: false });
    decoded = decodeReplyMeta(expanded, event.id, conversation, 'mark');
  }
  const parsed = replyMetaSchema.safeParse(decoded);
  if (missing.length)
    problems.push({ reason: `${what}: ${missing.length} prompt part(s) missing (${missing.join(', ')})`, dropped: false });
  if (parsed.success) return { ...event, meta: parsed.data } as TranscriptEvent;
  const { meta: _dropped, ...rest } = event;
  const why = parsed.error.issues[0]!.message;
  problems.push({ reason: `${what}: the reply's details could not be read (${why}); its text is kept`, dropped: false });
  return rest as TranscriptEvent;
}
