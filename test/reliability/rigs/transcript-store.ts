import { memoryLogger } from '../../../electron/host/log/logger';
import { TranscriptStore } from '../../../electron/host/npc/transcript-store';
import { filesUnder, type RigInstance } from './rig';

export const kind = 'transcript-store';
export const capabilities = { server: false, stream: false };

/** The transcript store on real journals in `dir`: one use starts a conversation and appends a turn. */
export async function create(dir: string): Promise<RigInstance> {
  const store = new TranscriptStore({ dir, logger: memoryLogger().logger });
  return {
    provider: store,
    companions: [],
    async use() {
      const view = await store.start('mira-1a2b3c', { greetings: ['Well met.'] });
      const ref = { npcId: 'mira-1a2b3c', conversationId: view.conversationId };
      await store.addMessage(ref, 'user', { text: 'Who lit your forge?' });
      await store.addMessage(ref, 'assistant', { text: 'My mother, in the year of ash.' });
    },
    held: () => ({ sockets: 0, files: filesUnder(dir), pids: [] }),
    dispose: () => store.cleanup(),
  };
}
