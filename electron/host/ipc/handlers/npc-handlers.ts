import { deleteNpcEverywhere } from '../../npc/npc-deletion';
import type { Handlers } from '../router';
import type { StudioServices } from './services';

type NpcChannels = 'npc.list' | 'npc.get' | 'npc.save' | 'npc.delete' | 'npc.importCard' | 'npc.exportCard' | 'npc.getArt' | 'npc.setArt';

export function npcHandlers(s: StudioServices): Pick<Handlers, NpcChannels> {
  return {
    'npc.list': async () => s.npcs.list(),
    'npc.get': async ({ id }) => s.npcs.get(id),
    'npc.save': async (input) => s.npcs.save(input),
    'npc.delete': async ({ id }) => {
      await deleteNpcEverywhere({ ...s, logger: s.logs.logger }, id);
      return { deleted: true };
    },
    'npc.importCard': async (input) => {
      const card = input.format === 'json' ? input.text : new Uint8Array(Buffer.from(input.base64, 'base64'));
      const { npc } = await s.npcs.importCard(card);
      return npc;
    },
    'npc.exportCard': async ({ id, format }) => {
      const file = await s.npcs.exportCard(id, format);
      const text = file.mime === 'application/json';
      return {
        fileName: file.fileName,
        mime: file.mime,
        data: file.bytes.toString(text ? 'utf8' : 'base64'),
        encoding: text ? 'utf8' : 'base64',
      };
    },
    'npc.getArt': async ({ id }) => {
      const art = await s.npcs.getArt(id);
      if (!art) return null;
      const { mime, width, height, bytes } = art.info;
      return { mime, width, height, bytes, base64: art.bytes.toString('base64') };
    },
    'npc.setArt': async ({ id, base64 }) => {
      const { mime, width, height, bytes } = await s.npcs.setArt(id, Buffer.from(base64, 'base64'));
      return { mime, width, height, bytes };
    },
  };
}
