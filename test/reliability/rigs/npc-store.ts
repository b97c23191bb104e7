import { memoryLogger } from '../../../electron/host/log/logger';
import { NpcStore } from '../../../electron/host/npc/npc-store';
import { filesUnder, type RigInstance } from './rig';

export const kind = 'npc-store';
export const capabilities = { server: false, stream: false };

/** The NPC store on real files in `dir`: one use saves an NPC and reads it back. */
export async function create(dir: string): Promise<RigInstance> {
  const store = new NpcStore({ dir, logger: memoryLogger().logger });
  return {
    provider: store,
    companions: [],
    async use() {
      const saved = await store.save({ card: { name: 'Mira Vell', description: 'The blacksmith of Emberfall.' } });
      if (store.get(saved.id).card.name !== 'Mira Vell') throw new Error('the saved NPC did not read back');
    },
    held: () => ({ sockets: 0, files: filesUnder(dir), pids: [] }),
    dispose: () => store.cleanup(),
  };
}
