import type { Handlers } from '../router';
import { HostError } from '../host-error';
import { conversationSummary } from '../../npc/conversation-summary';
import { parseSillyTavernChat } from '../../npc/sillytavern-chat';
import type { StudioServices } from './services';

type ConversationChannels =
  | 'conversation.list'
  | 'conversation.create'
  | 'conversation.rename'
  | 'conversation.duplicate'
  | 'conversation.delete'
  | 'conversation.branch'
  | 'conversation.configure'
  | 'conversation.importSillyTavern'
  | 'persona.list'
  | 'persona.save'
  | 'persona.delete'
  | 'persona.setDefault';

/**
 * Conversations of an NPC and the designer's personas. A branch or duplicate copies the messages it shares (with
 * their alternatives and what each reply kept); the two conversations then go their own ways.
 */
export function conversationHandlers(s: StudioServices): Pick<Handlers, ConversationChannels> {
  const checkPersona = (personaId: string | null | undefined) => {
    if (personaId) s.personas.get(personaId);
  };
  return {
    'conversation.list': async ({ npcId }) => {
      s.npcs.get(npcId);
      // Every NPC has its main conversation: listing starts it, as opening the chat does.
      if ((await s.transcripts.listConversations(npcId)).length === 0) await s.chat.conversation(npcId);
      const infos = await s.transcripts.listConversations(npcId);
      const views = await Promise.all(infos.map((i) => s.transcripts.peek({ npcId, conversationId: i.conversationId })));
      return views.map(conversationSummary).sort((a, b) => b.lastAt.localeCompare(a.lastAt));
    },
    'conversation.create': async ({ npcId, title, personaId }) => {
      checkPersona(personaId);
      const view = await s.chat.createConversation(npcId, {
        ...(title ? { title } : {}),
        ...(personaId !== undefined ? { personaId } : {}),
      });
      return conversationSummary(view);
    },
    'conversation.rename': async ({ npcId, conversationId, title }) => {
      await s.chat.conversation(npcId, conversationId);
      return conversationSummary(await s.transcripts.configure(s.chat.refOf(npcId, conversationId), { title }));
    },
    'conversation.configure': async ({ npcId, conversationId, personaId, authorsNote }) => {
      checkPersona(personaId);
      await s.chat.conversation(npcId, conversationId);
      const settings = { ...(personaId !== undefined ? { personaId } : {}), ...(authorsNote !== undefined ? { authorsNote } : {}) };
      return conversationSummary(await s.transcripts.configure(s.chat.refOf(npcId, conversationId), settings));
    },
    'conversation.duplicate': async ({ npcId, conversationId }) => {
      const view = await s.chat.conversation(npcId, conversationId);
      const source = conversationSummary(view);
      const last = view.messages.at(-1);
      return conversationSummary(
        await s.transcripts.create(npcId, {
          title: `${source.title} (copy)`,
          personaId: view.settings.personaId,
          authorsNote: view.settings.authorsNote,
          ...(last ? { branchedFrom: { conversationId, messageId: last.id } } : {}),
          messages: view.messages,
        }),
      );
    },
    'conversation.branch': async ({ npcId, conversationId, messageId, title }) => {
      const view = await s.chat.conversation(npcId, conversationId);
      const at = view.messages.findIndex((m) => m.id === messageId);
      if (at < 0) throw HostError.notFound(`message ${messageId} of ${npcId}/${conversationId}`);
      const source = conversationSummary(view);
      return conversationSummary(
        await s.transcripts.create(npcId, {
          title: title || `${source.title} (branch at ${messageId})`,
          personaId: view.settings.personaId,
          authorsNote: view.settings.authorsNote,
          branchedFrom: { conversationId, messageId },
          messages: view.messages.slice(0, at + 1),
        }),
      );
    },
    'conversation.delete': async ({ npcId, conversationId }) => {
      s.npcs.get(npcId);
      // Through the chat: a reply streaming into the conversation is stopped first, so nothing writes it back.
      return { deleted: await s.chat.deleteConversation(npcId, conversationId) };
    },
    'conversation.importSillyTavern': async ({ npcId, fileName, text }) => {
      s.npcs.get(npcId);
      const parsed = parseSillyTavernChat(fileName, text);
      const view = await s.transcripts.create(npcId, {
        title: fileName.replace(/\.jsonl$/i, ''),
        importedFrom: { format: 'sillytavern', fileName },
        authorsNote: parsed.authorsNote,
        messages: parsed.messages,
      });
      return { conversation: conversationSummary(view), report: parsed.report };
    },
    'persona.list': async () => s.personas.list(),
    'persona.save': async (draft) => s.personas.save(draft),
    'persona.delete': async ({ id }) => ({ deleted: await s.personas.delete(id) }),
    'persona.setDefault': async ({ id }) => s.personas.setDefault(id),
  };
}
