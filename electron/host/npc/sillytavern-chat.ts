import type { AuthorsNote, ChatImportReport } from '../../../shared/conversations';
import { CONVERSATION_LIMITS } from '../../../shared/conversations';
import type { TranscriptMessage } from './transcript-schema';

/**
 * SillyTavern chat files (.jsonl), as src/endpoints/chats.js reads and writes them: the first line is the chat's
 * metadata ({user_name, character_name, create_date, chat_metadata}; SillyTavern accepts a first line with
 * `user_name` or `name`), then one message a line ({name, is_user, is_system, send_date, mes, swipes, swipe_id,
 * swipe_info, extra}). Chub's variant ({mes: {message}}, swipes of {message}) is flattened as SillyTavern does.
 */

export class ChatImportError extends Error {
  constructor(fileName: string, reason: string) {
    super(`${fileName} is not a SillyTavern chat file we can read: ${reason}`);
    this.name = 'ChatImportError';
  }
}

export interface ParsedSillyTavernChat {
  messages: TranscriptMessage[];
  authorsNote: AuthorsNote | null;
  report: ChatImportReport;
}

/** What a message keeps; every other field is reported as dropped, with why. */
const KEPT = new Set(['name', 'is_user', 'is_system', 'send_date', 'mes', 'swipes', 'swipe_id']);
const WHY: Record<string, string> = {
  name: "the studio shows the NPC's name and your persona's name instead",
  swipe_info: "each alternative's own date and model are not kept; the alternatives' texts are",
  extra: 'SillyTavern-only details (model, API, token counts, reasoning, display text)',
  gen_started: 'generation timing is not kept',
  gen_finished: 'generation timing is not kept',
  force_avatar: 'avatars come from the NPC card',
  is_name: 'not used by the studio',
  title: 'message titles are not used by the studio',
  user_swipes: 'your own messages have one text in the studio; extra versions were dropped',
  chat_metadata: "SillyTavern's chat settings other than the author's note",
  send_date: 'the date could not be read; the import time was used',
};

export function parseSillyTavernChat(fileName: string, text: string, now = new Date()): ParsedSillyTavernChat {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = parseLine(lines[0] ?? '');
  if (!isObject(header) || (header.user_name === undefined && header.name === undefined)) {
    throw new ChatImportError(fileName, 'its first line must be the chat metadata, a JSON object with "user_name" and "character_name"');
  }
  const skipped: ChatImportReport['skipped'] = [];
  const dropped = new Map<string, number>();
  const drop = (field: string) => dropped.set(field, (dropped.get(field) ?? 0) + 1);
  const messages: TranscriptMessage[] = [];
  let alternatives = 0;

  lines.slice(1).forEach((line, i) => {
    const lineNo = i + 2;
    if (line.trim() === '') return;
    const raw = parseLine(line);
    if (!isObject(raw)) return skipped.push({ line: lineNo, reason: raw === undefined ? 'not valid JSON' : 'not a message object' });
    if (raw.is_system === true)
      return skipped.push({ line: lineNo, reason: 'a system message (SillyTavern hides it from the prompt); the studio has none' });
    const mes = flatten(raw.mes);
    if (typeof mes !== 'string') return skipped.push({ line: lineNo, reason: 'no "mes" text' });
    for (const key of Object.keys(raw)) if (!KEPT.has(key) && raw[key] !== undefined && raw[key] !== null) drop(key);
    if (raw.name !== undefined) drop('name');
    const role = raw.is_user === true ? 'user' : 'assistant';
    const swipes = Array.isArray(raw.swipes) ? raw.swipes.map(flatten).filter((s): s is string => typeof s === 'string') : [];
    let texts = [mes];
    let chosen = 0;
    if (role === 'assistant' && swipes.length > 1) {
      chosen = Math.min(Math.max(0, Number.isInteger(raw.swipe_id) ? (raw.swipe_id as number) : 0), swipes.length - 1);
      texts = swipes.map((s, k) => (k === chosen ? mes : s));
      alternatives += texts.length - 1;
    } else if (role === 'user' && swipes.length > 1) {
      drop('user_swipes');
    }
    if (texts.every((t) => t.trim() === '')) return skipped.push({ line: lineNo, reason: 'an empty message' });
    const at = dateOf(raw.send_date) ?? (drop('send_date'), now.toISOString());
    messages.push({
      id: `m${messages.length + 1}`,
      role,
      text: texts[chosen]!,
      interrupted: false,
      chosen,
      swipes: texts.map((t) => ({ text: t, at, interrupted: false })),
      greeting: messages.length === 0 && role === 'assistant',
      createdAt: at,
    });
  });

  const meta = isObject(header.chat_metadata) ? header.chat_metadata : {};
  const note =
    typeof meta.note_prompt === 'string' && meta.note_prompt.trim() ? meta.note_prompt.slice(0, CONVERSATION_LIMITS.authorsNote) : '';
  const authorsNote: AuthorsNote | null = note
    ? {
        text: note,
        depth: Number.isInteger(meta.note_depth) ? Math.min(999, Math.max(0, meta.note_depth as number)) : 4,
        role: roleOf(meta.note_role),
      }
    : null;
  const otherSettings = Object.keys(meta).filter((k) => !k.startsWith('note_'));
  if (otherSettings.length) dropped.set('chat_metadata', otherSettings.length);
  if (messages.length === 0)
    throw new ChatImportError(
      fileName,
      skipped.length
        ? `none of its ${skipped.length} message line(s) could be used (line ${skipped[0]!.line}: ${skipped[0]!.reason})`
        : 'it has no messages',
    );
  return {
    messages,
    authorsNote,
    report: {
      messages: messages.length,
      alternatives,
      skipped,
      dropped: [...dropped.entries()].map(([field, count]) => ({ field, count, why: WHY[field] ?? 'not used by the studio' })),
      ...(typeof header.user_name === 'string' ? { userName: header.user_name } : {}),
      ...(typeof header.character_name === 'string' ? { characterName: header.character_name } : {}),
    },
  };
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Chub's `{message}` wrapper, as SillyTavern's flattenChubChat unwraps it. */
function flatten(v: unknown): unknown {
  return isObject(v) && typeof v.message === 'string' ? v.message : v;
}

/** SillyTavern's role numbers for the author's note (0 system, 1 user, 2 assistant). */
function roleOf(v: unknown): AuthorsNote['role'] {
  return v === 1 ? 'user' : v === 2 ? 'assistant' : 'system';
}

/** send_date as SillyTavern writes it: "2024-1-31 @14h 05m 09s 123ms" (humanizedISO8601DateTime), ISO, epoch ms or a locale date. */
export function dateOf(v: unknown): string | null {
  if (typeof v === 'number' && Number.isFinite(v)) return new Date(v).toISOString();
  if (typeof v !== 'string' || !v.trim()) return null;
  const h = /^(\d{4})-(\d{1,2})-(\d{1,2}) ?@(\d{1,2})h ?(\d{1,2})m ?(\d{1,2})s(?: ?(\d{1,3})ms)?$/.exec(v.trim());
  const ms = h
    ? new Date(+h[1]!, +h[2]! - 1, +h[3]!, +h[4]!, +h[5]!, +h[6]!, +(h[7] ?? 0)).getTime()
    : Date.parse(v.replace(/(\d)(am|pm)$/i, '$1 $2'));
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}
