import type { Handlers } from '../router';
import type { StudioServices } from './services';

type NpcChannels = 'npc.list' | 'npc.get' | 'npc.save' | 'npc.delete' | 'npc.importCard' | 'npc.exportCard';

export function npcHandlers(s: StudioServices): Pick<Handlers, NpcChannels> {
  return {
    'npc.list': async () => s.npcs.list(),
    'npc.get': async ({ id }) => s.npcs.get(id),
    'npc.save': async (input) => s.npcs.save(input),
    'npc.delete': async ({ id }) => {
      s.npcs.get(id);
      await s.npcs.delete(id);
      await s.transcripts.closeConversation(s.chat.refOf(id));
      return { deleted: true };
    },
    'npc.importCard': async (input) => {
      const card = input.format === 'json' ? input.text : new Uint8Array(Buffer.from(input.base64, 'base64'));
      const { npc } = await s.npcs.importCard(card);
      return npc;
    },
    'npc.exportCard': async ({ id, format }) => {
      const npc = s.npcs.get(id);
      const base = npc.card.name.replace(/[^A-Za-z0-9 _-]+/g, '').trim() || npc.id;
      if (format === 'json') {
        return { fileName: `${base}.json`, mime: 'application/json', data: s.npcs.exportCard(id, 'json'), encoding: 'utf8' };
      }
      return { fileName: `${base}.png`, mime: 'image/png', data: s.npcs.exportCard(id, 'png').toString('base64'), encoding: 'base64' };
    },
  };
}
