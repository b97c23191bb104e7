import { join } from 'node:path';
import { KnowledgeStore } from '../../../electron/host/knowledge/knowledge-store';
import { memoryLogger } from '../../../electron/host/log/logger';
import { HashedWordEmbedding } from '../../support/chroma';
import { renamed } from '../support/faults';
import { watchedChroma } from './chroma-server';
import type { RigInstance } from './rig';

export const kind = 'knowledge-store';
export const capabilities = { server: true, stream: false };

const LORE = '# Forge\n\nThe forge of Emberfall was lit in the year of ash.\n\n# Debts\n\nMira owes the guild forty crowns.';

/**
 * The knowledge store on its own embedded Chroma server (a companion, renamed beside the chroma-server rig).
 * The server does not restart here, so "server gone" stays gone. Lore is ingested as scratch, so closing
 * must try to reach the server to clear it.
 */
export async function create(dir: string): Promise<RigInstance> {
  const chroma = watchedChroma(dir, { restart: { maxAttempts: 0 } });
  const store = new KnowledgeStore({
    endpoint: chroma.server,
    embedder: new HashedWordEmbedding(),
    dataDir: join(dir, 'knowledge'),
    npcExists: () => true,
    logger: memoryLogger().logger,
  });
  return {
    provider: store,
    companions: [renamed(chroma.server, 'chroma-server-of-knowledge-store')],
    async use() {
      chroma.note();
      await store.ingestText('mira', 'forge', LORE, { scratch: true });
      const hits = await store.query('mira', 'who lit the forge', 1);
      if (hits[0]?.source !== 'forge') throw new Error(`the lore query found ${JSON.stringify(hits)}`);
    },
    killServer: () => chroma.kill(),
    held: () => chroma.held(),
    async dispose() {
      await store.cleanup();
      await chroma.server.cleanup();
    },
  };
}
