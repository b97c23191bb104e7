import type { TimedEffectState } from '../../../shared/lorebook';
import type { Npc } from '../../../shared/npc';
import type { ChatMessage } from '../processors/processor';
import { TranscriptError } from './transcript-store-api';
import type { ConversationRef, ConversationView, TranscriptMessage } from './transcript-schema';

/** A conversation's messages as a turn uses them: the history sent, the lore state carried over, the reply to redo. */

/** The lore timed-effect state the last reply before `end` saved (sticky and cooldown carry over from it). */
export function loreStateBefore(messages: readonly Pick<TranscriptMessage, 'meta'>[], end: number): { loreState?: TimedEffectState } {
  for (let i = end - 1; i >= 0; i--) {
    const state = messages[i]!.meta?.used?.lore?.state;
    if (state) return { loreState: state };
  }
  return {};
}

export function toChatMessages(messages: readonly Pick<TranscriptMessage, 'role' | 'text'>[]): ChatMessage[] {
  return messages.filter((m) => m.text.trim() !== '').map((m) => ({ role: m.role, content: m.text }));
}

/** The index of `messageId`, which must be the conversation's last message and a reply. */
export function lastReplyIndex(view: ConversationView, messageId: string, ref: ConversationRef, npc: Npc, what: string): number {
  const index = view.messages.findIndex((m) => m.id === messageId);
  const target = view.messages[index];
  if (!target || target.role !== 'assistant') throw new TranscriptError(ref, `message ${messageId} is not a reply of ${npc.card.name}`);
  if (index !== view.messages.length - 1)
    throw new TranscriptError(ref, `only the last reply can be ${what}; ${messageId} is not the last message`);
  return index;
}
