import type { KnowledgeStore } from '../knowledge/knowledge-store';
import type { Logger } from '../log/logger';
import type { UsageTracker } from '../usage/usage-tracker';
import type { ChatService } from './chat-service';
import type { NpcStore } from './npc-store';
import type { TranscriptStore } from './transcript-store';

export interface NpcDeletionDeps {
  npcs: NpcStore;
  chat: ChatService;
  transcripts: TranscriptStore;
  knowledge: KnowledgeStore;
  usage: UsageTracker;
  logger: Logger;
}

/**
 * Deleting an NPC removes everything of it, for good (there is no trash): its conversations, its lore (Chroma
 * collections and manifest entries) and its id on usage records (the calls stay counted, relabelled). A new NPC
 * with the same id starts empty. The card goes last: if a step fails the NPC is still there and the delete can
 * be tried again, and nothing of it waits to come back under a new NPC. First its replies and impersonations still
 * streaming are stopped, saving nothing, and none starts until the deletion ends, so nothing writes it back.
 */
export async function deleteNpcEverywhere(deps: NpcDeletionDeps, id: string): Promise<void> {
  const npc = deps.npcs.get(id);
  const { lore, usageRecords } = await deps.chat.deleteNpc(id, async () => {
    const removed = await deps.knowledge.deleteNpc(id);
    await deps.transcripts.deleteNpc(id);
    const relabelled = await deps.usage.forgetNpc(id);
    await deps.npcs.delete(id);
    return { lore: removed, usageRecords: relabelled };
  });
  deps.logger.info(
    { npcId: id, ...lore, usageRecords },
    `NPC ${npc.card.name} (${id}) deleted with its conversations, lore and usage labels`,
  );
}
