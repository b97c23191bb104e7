import type { Handlers } from '../router';
import { HostError } from '../host-error';
import { transcriptProblemText } from './data-problems';
import type { StudioServices } from './services';
import { streamingTurn, toTurn } from './transcript-turns';

type ChatChannels = 'chat.send' | 'chat.stop' | 'chat.regenerate' | 'chat.chooseSwipe' | 'chat.edit' | 'chat.delete' | 'chat.history' | 'chat.export';

export function chatHandlers(s: StudioServices): Pick<Handlers, ChatChannels> {
  const ref = (npcId: string) => s.chat.refOf(npcId);
  const messageOf = async (npcId: string, turnId: string) => {
    const view = await s.chat.conversation(npcId);
    const message = view.messages.find((m) => m.id === turnId);
    if (!message) throw HostError.notFound(`message ${turnId} of ${npcId}`);
    return message;
  };
  return {
    'chat.send': async ({ npcId, text }) => {
      const turn = await s.chat.send(npcId, text);
      return { userTurnId: turn.userMessageId!, turnId: turn.turnId };
    },
    'chat.stop': async ({ turnId }) => ({ stopped: s.chat.stop(turnId) }),
    'chat.regenerate': async ({ npcId, turnId }) => {
      await messageOf(npcId, turnId);
      const turn = await s.chat.regenerate(npcId, turnId);
      return { turnId: turn.turnId, alternative: turn.alternative, messageId: turnId };
    },
    'chat.chooseSwipe': async ({ npcId, turnId, index }) => {
      const message = await messageOf(npcId, turnId);
      if (index >= message.swipes.length) throw new HostError('ValidationError', `message ${turnId} has ${message.swipes.length} alternative(s); there is no number ${index + 1}`, { issues: [{ path: 'index', message: `must be below ${message.swipes.length}` }] });
      return toTurn(await s.transcripts.chooseSwipe(ref(npcId), turnId, index));
    },
    'chat.edit': async ({ npcId, turnId, text }) => {
      await messageOf(npcId, turnId);
      return toTurn(await s.transcripts.editMessage(ref(npcId), turnId, text));
    },
    'chat.delete': async ({ npcId, turnId }) => {
      await messageOf(npcId, turnId);
      await s.transcripts.deleteMessage(ref(npcId), turnId);
      return { deleted: true };
    },
    'chat.history': async ({ npcId }) => {
      const view = await s.chat.conversation(npcId);
      const now = new Date().toISOString();
      const streaming = s.chat.inProgress(npcId).filter((t) => t.alternative === 0).map((t) => streamingTurn(t.turnId, t.text, now));
      const problems = view.problems.map(transcriptProblemText);
      return { npcId, turns: [...view.messages.map(toTurn), ...streaming], ...(problems.length ? { problems } : {}) };
    },
    'chat.export': async ({ npcId, format }) => {
      const npc = s.npcs.get(npcId);
      await s.chat.conversation(npcId);
      const text = await s.transcripts.exportTranscript(ref(npcId), format, { npcName: npc.card.name });
      const base = npc.card.name.replace(/[^A-Za-z0-9 _-]+/g, '').trim() || npc.id;
      return format === 'json'
        ? { fileName: `${base} chat.json`, mime: 'application/json', text }
        : { fileName: `${base} chat.md`, mime: 'text/markdown', text };
    },
  };
}
