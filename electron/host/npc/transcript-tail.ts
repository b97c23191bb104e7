import { open } from 'node:fs/promises';
import { storedEventSchema, type StoredEvent } from './transcript-schema';

const CHUNK_BYTES = 64 * 1024;

export interface TailPage {
  /** The events of the page's messages, in file order: their message-added and every later event naming them. */
  events: StoredEvent[];
  /** Whether an older alive message exists before the page. */
  hasOlder: boolean;
}

/**
 * The newest `limit` messages of a conversation, read from the end of its journal without reading the rest: so
 * the first page of a 5,000-turn conversation opens about as fast as that of a 50-turn one. Every event about a
 * message comes after its message-added, so reading back until `limit` + 1 live messages are found sees all of
 * theirs. Anything unusual (a bad or torn line, a reply draft never closed, ids of an older journal that are not
 * in order) answers null: the caller then opens the journal whole, which reports, truncates or recovers as usual.
 */
export async function readTailPage(file: string, limit: number): Promise<TailPage | null> {
  const handle = await open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    if (size === 0) return { events: [], hasOlder: false };
    let position = size;
    let carry = Buffer.alloc(0);
    const newestFirst: StoredEvent[] = [];
    const deleted = new Set<string>();
    const closedTurns = new Set<string>();
    let alive = 0;
    let lastByte = true;
    while (position > 0) {
      const length = Math.min(CHUNK_BYTES, position);
      position -= length;
      const chunk = Buffer.alloc(length);
      await handle.read(chunk, 0, length, position);
      const buffer = Buffer.concat([chunk, carry]);
      if (lastByte && buffer[buffer.length - 1] !== 0x0a) return null; // torn last record
      lastByte = false;
      const firstNewline = position > 0 ? buffer.indexOf(0x0a) : -1;
      carry = firstNewline >= 0 ? buffer.subarray(0, firstNewline + 1) : Buffer.alloc(0);
      const text = buffer.subarray(firstNewline + 1).toString('utf8');
      const lines = text.split('\n');
      for (let i = lines.length - 1; i >= 0; i--) {
        if (lines[i] === '') continue;
        const event = parse(lines[i]!);
        if (!event) return null;
        if (event.type === 'reply-draft' && !closedTurns.has(event.turn)) return null;
        if ('turn' in event && event.turn && event.type !== 'reply-draft') closedTurns.add(event.turn);
        if (event.type === 'message-deleted') deleted.add(event.id);
        newestFirst.push(event);
        if (event.type === 'message-added' && !deleted.has(event.id) && ++alive > limit) return pageOf(newestFirst, true);
      }
    }
    if (carry.length) {
      const event = parse(carry.toString('utf8').replace(/\n$/, ''));
      if (!event) return null;
      newestFirst.push(event);
    }
    return pageOf(newestFirst, false);
  } finally {
    await handle.close();
  }
}

function parse(line: string): StoredEvent | null {
  try {
    const parsed = storedEventSchema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function pageOf(newestFirst: StoredEvent[], hasOlder: boolean): TailPage | null {
  const events = newestFirst.reverse();
  // The oldest message-added read is the one beyond the page (when hasOlder): it and events about it are left out.
  const added = events.filter((e) => e.type === 'message-added' && !events.some((d) => d.type === 'message-deleted' && d.id === e.id));
  const beyond = hasOlder ? (added[0] as { id: string }).id : undefined;
  const ids = new Set(added.map((e) => (e as { id: string }).id).filter((id) => id !== beyond));
  let last = 0;
  for (const e of events) {
    if (e.type !== 'message-added') continue;
    const n = Number(e.id.slice(1));
    if (n <= last) return null;
    last = n;
  }
  return { events: events.filter((e) => 'id' in e && ids.has(e.id)), hasOlder };
}
