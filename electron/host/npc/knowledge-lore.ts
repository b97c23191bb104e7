import type { KnowledgeStore } from '../knowledge/knowledge-store';
import type { LoreRetriever } from './chat-types';

/**
 * The knowledge store as ChatService's lore source: an NPC's nearest chunks for the turn's latest message,
 * each with the source it came from (nearest first, as Chroma returns them).
 */
export function knowledgeLore(store: Pick<KnowledgeStore, 'query'>): LoreRetriever {
  return {
    async query(npcId, text, k) {
      const hits = await store.query(npcId, text, k);
      return hits.map((hit) => ({ id: hit.id, source: hit.source, text: hit.text, distance: hit.distance }));
    },
  };
}
