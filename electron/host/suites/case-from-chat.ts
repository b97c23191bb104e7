import type { SuiteCase, SuiteInput } from '../../../shared/suite';
import type { TranscriptMessage } from '../npc/transcript-schema';
import { SuiteValidationError } from './suite-errors';

const MAX_LORE_ASSERTIONS = 5;

/**
 * A test case from a chat exchange: the conversation before the designer's message becomes the setup (its greeting
 * and prior turns), the message the player turn, and the reply's fired lore entries `lore_fired` assertions (the
 * designer adds the rest in the Tests panel).
 */
export function caseFromChat(
  messages: readonly TranscriptMessage[],
  replyId: string,
  taken: readonly string[],
): SuiteInput['cases'][number] {
  const at = messages.findIndex((m) => m.id === replyId);
  const reply = messages[at];
  if (!reply || reply.role !== 'assistant')
    throw new SuiteValidationError('turnId', `message ${replyId} is not a reply in this conversation`);
  const player = messages[at - 1];
  if (!player || player.role !== 'user')
    throw new SuiteValidationError(
      'turnId',
      'this reply answers no message of yours; only an exchange (your message and its reply) can become a test',
    );
  const before = messages.slice(0, at - 1).filter((m) => m.text.trim());
  const greeting = before[0]?.greeting ? before.shift()!.text : undefined;
  const fired = reply.meta?.used?.lore?.activated ?? [];
  const expect: SuiteCase['turns'][number]['expect'] = fired
    .slice(0, MAX_LORE_ASSERTIONS)
    .map((e) => ({ kind: 'lore_fired', entry: e.comment || e.entry }));
  const base = `From chat: ${player.text.replace(/\s+/g, ' ').trim().slice(0, 60)}`;
  let name = base;
  for (let n = 2; taken.includes(name); n++) name = `${base} (${n})`;
  return {
    name,
    setup: { ...(greeting !== undefined ? { greeting } : {}), priorTurns: before.map((m) => ({ role: m.role, content: m.text })) },
    turns: [{ player: player.text, expect }],
  };
}
