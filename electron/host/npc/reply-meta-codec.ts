import { isDeepStrictEqual } from 'node:util';
import type { ReplyMeta } from '../../../shared/chat';

/**
 * Short encodings of a reply's meta as the journal stores it, before its prompt parts are stored by hash
 * (transcript-parts.ts). What can be derived from the conversation is stored by reference:
 *
 * - a lore match in a chat message keeps where it matched, `[index, back, start, end]`, instead of the excerpt and
 *   the role: the message is `back` ids before the reply's own, and the excerpt is rebuilt from its text as it stood
 *   when the reply was written (the fold reads events in order, so edits made later do not change it);
 * - an activated lore entry is `[entry without its match, match]`, so the entry, the same reply after reply, is one
 *   part and only its match is stored with the reply;
 * - token usage is a tuple of numbers in the schema's field order.
 *
 * Every encoding is checked on write: the meta is decoded back and compared, and stored as it is when they differ,
 * so no detail is ever lost. Meta written before these encodings holds none of them and reads as it is.
 */

/** The conversation as it stood when the reply was written: its message texts (chosen swipe) by id. */
export interface MessageLookup {
  messageText(id: string): { role: string; text: string } | undefined;
}

/** A reference that could not be resolved (e.g. a page read from the journal's end without the message). */
export class UnresolvedReference extends Error {
  constructor(readonly messageId: string) {
    super(`message ${messageId} is not in what was read`);
  }
}

const USAGE_FIELDS = [
  'promptTokens',
  'replyTokens',
  'latencyMs',
  'totalDurationMs',
  'loadDurationMs',
  'promptEvalDurationMs',
  'evalDurationMs',
] as const;

type Json = Record<string, unknown>;

/** How far back a match's message is looked for (lore scans the latest messages). */
const MAX_BACK = 200;

const ELLIPSIS = '…';

/** The excerpt the lore engine shows for a slice of a message (electron/host/lore/key-matching.ts). */
export function excerptOf(text: string, start: number, end: number): string {
  return (start > 0 ? ELLIPSIS : '') + text.slice(start, end).replace(/\s+/g, ' ') + (end < text.length ? ELLIPSIS : '');
}

/** The meta as stored: encodings applied where they decode back to exactly the same meta. */
export function encodeReplyMeta(meta: ReplyMeta, eventId: string, lookup: MessageLookup): Json {
  const encoded = encode(meta, eventId, lookup);
  if (encoded === meta) return meta;
  try {
    if (isDeepStrictEqual(stripUndefined(decodeReplyMeta(encoded, eventId, lookup)), stripUndefined(meta))) return encoded;
  } catch {
    // A reference that does not resolve: stored as it is.
  }
  return meta;
}

/**
 * The meta with every encoding undone. A message a match points to that is not known throws UnresolvedReference,
 * or with `missing: 'mark'` (a damaged journal lost it) reads as a match whose excerpt says so.
 */
export function decodeReplyMeta(stored: Json, eventId: string, lookup: MessageLookup, missing: 'throw' | 'mark' = 'throw'): Json {
  let out = stored;
  if (Array.isArray(out.usage)) out = { ...out, usage: usageFromTuple(out.usage as unknown[]) };
  const used = out.used as Json | undefined;
  const lore = used?.lore as Json | undefined;
  if (lore && Array.isArray(lore.activated) && lore.activated.some(Array.isArray)) {
    const activated = lore.activated.map((a: unknown) => (Array.isArray(a) ? activatedFromTuple(a, eventId, lookup, missing) : a));
    out = { ...out, used: { ...used, lore: { ...lore, activated } } };
  }
  return out;
}

function encode(meta: ReplyMeta, eventId: string, lookup: MessageLookup): Json {
  let out: Json = meta;
  if (meta.usage && Object.keys(meta.usage).every((k) => (USAGE_FIELDS as readonly string[]).includes(k))) {
    const usage = meta.usage as Json;
    out = { ...out, usage: USAGE_FIELDS.map((k) => (usage[k] === undefined ? null : usage[k])) };
    while ((out.usage as unknown[]).at(-1) === null) (out.usage as unknown[]).pop();
  }
  const lore = meta.used?.lore;
  if (lore?.activated.length) {
    const activated = lore.activated.map((entry) => {
      const { matchedIn, ...trace } = entry.trace;
      const rest = { ...entry, trace };
      if (!matchedIn) return [rest];
      return [rest, matchedIn.kind === 'message' ? (messageMatchTuple(matchedIn, eventId, lookup) ?? matchedIn) : matchedIn];
    });
    out = { ...out, used: { ...meta.used, lore: { ...lore, activated } } };
  }
  return out;
}

function usageFromTuple(tuple: unknown[]): Json {
  const usage: Json = {};
  tuple.forEach((v, i) => {
    if (v !== null && i < USAGE_FIELDS.length) usage[USAGE_FIELDS[i]!] = v;
  });
  return usage;
}

function activatedFromTuple(tuple: unknown[], eventId: string, lookup: MessageLookup, missing: 'throw' | 'mark'): unknown {
  const [rest, match] = tuple as [Json, unknown];
  if (match === undefined) return rest;
  const matchedIn = Array.isArray(match) ? messageMatchFromTuple(match, eventId, lookup, missing) : match;
  return { ...rest, trace: { ...(rest.trace as Json), matchedIn } };
}

/** `[index, back, start, end]` when the excerpt is a slice of the message `back` ids before the reply's. */
function messageMatchTuple(
  match: { index: number; role: string; excerpt: string },
  eventId: string,
  lookup: MessageLookup,
): number[] | undefined {
  const own = idNumber(eventId);
  const core = match.excerpt.replace(/^…/, '').replace(/…$/, '');
  // The excerpt has its whitespace runs made single spaces: each space may stand for any run.
  const pattern = new RegExp(core.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replaceAll(' ', '\\s+'));
  for (let back = 1; back <= Math.min(own, MAX_BACK); back++) {
    const message = lookup.messageText(`m${own - back}`);
    if (!message || message.role !== match.role) continue;
    const found = pattern.exec(message.text);
    if (!found) continue;
    const [start, end] = [found.index, found.index + found[0].length];
    if (excerptOf(message.text, start, end) === match.excerpt) return [match.index, back, start, end];
  }
  return undefined;
}

function messageMatchFromTuple(tuple: unknown[], eventId: string, lookup: MessageLookup, missing: 'throw' | 'mark'): Json {
  const [index, back, start, end] = tuple as number[];
  const id = `m${idNumber(eventId) - back!}`;
  const message = lookup.messageText(id);
  if (!message && missing === 'mark') {
    return { kind: 'message', index, role: 'unknown', excerpt: `[message ${id} is missing from the journal]` };
  }
  if (!message) throw new UnresolvedReference(id);
  return { kind: 'message', index, role: message.role, excerpt: excerptOf(message.text, start!, end!) };
}

function idNumber(id: string): number {
  return Number(id.slice(1));
}

function stripUndefined(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}
