import { CONVERSATION_LIMITS, MAIN_CONVERSATION, type ConversationSummary } from '../../../shared/conversations';
import type { ConversationView } from './transcript-schema';

/** A conversation as the list shows it: title, last message, date, count, persona and author's note. */
export function conversationSummary(view: ConversationView): ConversationSummary {
  const last = view.messages.at(-1);
  const createdAt = view.startedAt ?? view.messages[0]?.createdAt ?? new Date(0).toISOString();
  const { settings } = view;
  return {
    npcId: view.npcId,
    conversationId: view.conversationId,
    title: settings.title?.trim() || defaultTitle(view.conversationId, createdAt),
    createdAt,
    lastAt: view.lastAt ?? createdAt,
    messageCount: view.messages.length,
    ...(last ? { lastMessage: { role: last.role, excerpt: excerpt(last.text) } } : {}),
    personaId: settings.personaId,
    authorsNote: settings.authorsNote,
    ...(settings.branchedFrom ? { branchedFrom: settings.branchedFrom } : {}),
    ...(settings.importedFrom ? { importedFrom: settings.importedFrom } : {}),
    ...(view.problems.length ? { damaged: true } : {}),
  };
}

export function defaultTitle(conversationId: string, createdAt: string): string {
  return conversationId === MAIN_CONVERSATION ? 'Main conversation' : `Conversation of ${createdAt.slice(0, 16).replace('T', ' ')}`;
}

function excerpt(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= CONVERSATION_LIMITS.excerpt ? line : `${line.slice(0, CONVERSATION_LIMITS.excerpt - 1)}…`;
}
