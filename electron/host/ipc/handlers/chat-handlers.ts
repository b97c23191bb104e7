import type { Handlers } from '../router';
import { HostError } from '../host-error';
import { MAIN_CONVERSATION } from '../../../../shared/conversations';
import { promptView } from '../../npc/prompt-view';
import { transcriptProblemText } from './data-problems';
import type { StudioServices } from './services';
import { streamingTurn, toTurn } from './transcript-turns';

type ChatChannels =
  | 'chat.send'
  | 'chat.stop'
  | 'chat.regenerate'
  | 'chat.chooseSwipe'
  | 'chat.edit'
  | 'chat.delete'
  | 'chat.history'
  | 'chat.export'
  | 'chat.page'
  | 'chat.prompt'
  | 'chat.continue'
  | 'chat.impersonate'
  | 'chat.stopImpersonate'
  | 'chat.editAndResend';

/** The chat channels; each names a conversation of the NPC (the main one when none is given). */
export function chatHandlers(s: StudioServices): Pick<Handlers, ChatChannels> {
  const ref = (npcId: string, conversationId = MAIN_CONVERSATION) => s.chat.refOf(npcId, conversationId);
  const messageOf = async (npcId: string, turnId: string, conversationId = MAIN_CONVERSATION) => {
    const view = await s.chat.conversation(npcId, conversationId);
    const message = view.messages.find((m) => m.id === turnId);
    if (!message) throw HostError.notFound(`message ${turnId} of ${npcId}`);
    return message;
  };
  const streaming = (npcId: string, conversationId?: string) => {
    const now = new Date().toISOString();
    return s.chat
      .inProgress(npcId, conversationId)
      .filter((t) => t.alternative === 0)
      .map((t) => streamingTurn(t.turnId, t.text, now));
  };
  return {
    'chat.send': async ({ npcId, text, conversationId }) => {
      const turn = await s.chat.send(npcId, text, conversationId);
      return { userTurnId: turn.userMessageId!, turnId: turn.turnId };
    },
    'chat.stop': async ({ turnId }) => ({ stopped: s.chat.stop(turnId) }),
    'chat.regenerate': async ({ npcId, turnId, conversationId }) => {
      await messageOf(npcId, turnId, conversationId);
      const turn = await s.chat.regenerate(npcId, turnId, conversationId);
      return { turnId: turn.turnId, alternative: turn.alternative, messageId: turnId };
    },
    'chat.chooseSwipe': async ({ npcId, turnId, index, conversationId }) => {
      const message = await messageOf(npcId, turnId, conversationId);
      if (index >= message.swipes.length)
        throw new HostError(
          'ValidationError',
          `message ${turnId} has ${message.swipes.length} alternative(s); there is no number ${index + 1}`,
          { issues: [{ path: 'index', message: `must be below ${message.swipes.length}` }] },
        );
      return toTurn(await s.transcripts.chooseSwipe(ref(npcId, conversationId), turnId, index));
    },
    'chat.edit': async ({ npcId, turnId, text, conversationId }) => {
      await messageOf(npcId, turnId, conversationId);
      return toTurn(await s.transcripts.editMessage(ref(npcId, conversationId), turnId, text));
    },
    'chat.delete': async ({ npcId, turnId, conversationId }) => {
      await messageOf(npcId, turnId, conversationId);
      await s.transcripts.deleteMessage(ref(npcId, conversationId), turnId);
      return { deleted: true };
    },
    'chat.history': async ({ npcId, conversationId }) => {
      const view = await s.chat.conversation(npcId, conversationId);
      const problems = view.problems.map(transcriptProblemText);
      return {
        npcId,
        turns: [...view.messages.map(toTurn), ...streaming(npcId, conversationId)],
        ...(problems.length ? { problems } : {}),
      };
    },
    'chat.page': async ({ npcId, conversationId = MAIN_CONVERSATION, cursor, limit }) => {
      const r = ref(npcId, conversationId);
      // The main conversation before its first use is started first, and a start under way (a list, a send) awaited.
      await s.chat.ensureStarted(npcId, conversationId);
      const page = await s.transcripts.page(r, limit, cursor);
      const problems = page.problems.map(transcriptProblemText);
      const inProgress = cursor ? [] : s.chat.inProgress(npcId, conversationId);
      return {
        npcId,
        conversationId,
        turns: [...page.messages.map(toTurn), ...(cursor ? [] : streaming(npcId, conversationId))],
        olderCursor: page.olderCursor,
        ...(inProgress.length ? { inProgress } : {}),
        ...(problems.length ? { problems } : {}),
      };
    },
    'chat.export': async ({ npcId, format, conversationId }) => {
      const npc = s.npcs.get(npcId);
      await s.chat.conversation(npcId, conversationId);
      const text = await s.transcripts.exportTranscript(ref(npcId, conversationId), format, { npcName: npc.card.name });
      const base = npc.card.name.replace(/[^A-Za-z0-9 _-]+/g, '').trim() || npc.id;
      return format === 'json'
        ? { fileName: `${base} chat.json`, mime: 'application/json', text }
        : { fileName: `${base} chat.md`, mime: 'text/markdown', text };
    },
    'chat.prompt': async ({ npcId, turnId, alternative, conversationId = MAIN_CONVERSATION }) => {
      const view = await s.chat.conversation(npcId, conversationId);
      return promptView({
        npcId,
        conversationId,
        messages: view.messages,
        messageId: turnId,
        ...(alternative !== undefined ? { alternative } : {}),
        personaName: (id) => s.personas.resolve(id).name,
      });
    },
    'chat.continue': async ({ npcId, turnId, conversationId }) => {
      await messageOf(npcId, turnId, conversationId);
      const turn = await s.chat.continueReply(npcId, turnId, conversationId);
      return { turnId: turn.turnId, alternative: turn.alternative, messageId: turnId };
    },
    'chat.impersonate': async ({ npcId, conversationId }) => s.chat.impersonate(npcId, conversationId),
    'chat.stopImpersonate': async ({ npcId, conversationId }) => ({ stopped: s.chat.stopImpersonate(npcId, conversationId) }),
    'chat.editAndResend': async ({ npcId, turnId, text, conversationId }) => {
      await messageOf(npcId, turnId, conversationId);
      const turn = await s.chat.editAndResend(npcId, turnId, text, conversationId);
      return { userTurnId: turn.userMessageId!, turnId: turn.turnId };
    },
  };
}
