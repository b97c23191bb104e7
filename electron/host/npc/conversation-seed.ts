import { ConversationState } from './transcript-fold';
import { compactEvent, messageEvents } from './transcript-io';
import type { PartStore } from './transcript-parts';
import { TranscriptError, type ConversationSeed } from './transcript-store-api';
import { storedEventSchema, type ConversationRef, type TranscriptEvent } from './transcript-schema';

/**
 * The journal text of a whole new conversation (a branch, a duplicate, an import): every message with its swipes and
 * their meta, ids kept. Throws TranscriptError, writing nothing, when the messages do not make a valid conversation.
 */
export async function seedJournalText(ref: ConversationRef, seed: ConversationSeed, parts: PartStore): Promise<string> {
  const { npcId, conversationId } = ref;
  const at = new Date().toISOString();
  const events: TranscriptEvent[] = [
    {
      type: 'conversation-started',
      at,
      npcId,
      conversationId,
      ...(seed.title ? { title: seed.title } : {}),
      ...(seed.personaId !== undefined ? { personaId: seed.personaId } : {}),
      ...(seed.branchedFrom ? { branchedFrom: seed.branchedFrom } : {}),
      ...(seed.importedFrom ? { importedFrom: seed.importedFrom } : {}),
    },
  ];
  if (seed.authorsNote) events.push({ type: 'conversation-configured', at, authorsNote: seed.authorsNote });
  for (const m of seed.messages) events.push(...messageEvents(m));
  const check = new ConversationState(npcId, conversationId);
  for (const e of events) if (!check.apply(e, undefined, true)) throw new TranscriptError(ref, check.problems.at(-1)!.reason);
  const lines: string[] = [];
  const written = new ConversationState(npcId, conversationId);
  for (const e of events) {
    lines.push(JSON.stringify(storedEventSchema.parse(await compactEvent(e, parts, written))));
    written.apply(e, undefined, true);
  }
  return lines.join('\n') + '\n';
}
