import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { formatZodPath } from '../fs/json-file';
import { TranscriptError } from './transcript-store-api';
import type { ConversationRef } from './transcript-schema';

/** Conversation ids: checked before they name a file, made new, and used as page cursors. */

export function keyOf(ref: ConversationRef): string {
  return `${ref.npcId}/${ref.conversationId}`;
}

export function checkedId(schema: z.ZodType<string>, value: string, name: string): string {
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new Error(`${name} "${value}" ${parsed.error.issues[0]!.message} (${formatZodPath(parsed.error.issues[0]!.path) || name})`);
  return parsed.data;
}

/** Sortable by start time: c-<base36 ms>-<random>. */
export function newConversationId(): string {
  return `c-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export function cursorNumber(ref: ConversationRef, cursor: string): number {
  if (!/^m\d+$/.test(cursor)) throw new TranscriptError(ref, `"${cursor}" is not a page cursor (use a page's olderCursor)`);
  return Number(cursor.slice(1));
}
