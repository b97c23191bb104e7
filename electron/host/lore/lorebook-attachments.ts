import type { LorebookRecord, LorebookSummary } from '../../../shared/lorebook-record';
import type { Npc, NpcSummary } from '../../../shared/npc';
import type { LorebookStore } from './lorebook-store';
import { worldLinkOf } from './npc-lore';

/** What attaching needs of the NPC store. */
export interface NpcAccess {
  list(): NpcSummary[];
  get(id: string): Npc;
  save(draft: unknown): Promise<Npc>;
}

/** Which NPCs use the lorebook: attached in their settings, or linked by their card's `extensions.world`. */
export function usersOf(record: LorebookRecord, npcs: readonly Npc[]): LorebookSummary['npcs'] {
  const out: LorebookSummary['npcs'] = [];
  for (const npc of npcs) {
    if (npc.studio.lorebooks?.includes(record.id)) out.push({ id: npc.id, name: npc.card.name, how: 'attached' });
    else if (worldLinkOf(npc.card)?.toLowerCase() === record.name.trim().toLowerCase())
      out.push({ id: npc.id, name: npc.card.name, how: 'linked' });
  }
  return out;
}

export function summaryOf(record: LorebookRecord, npcs: readonly Npc[]): LorebookSummary {
  return {
    id: record.id,
    name: record.name,
    entries: record.book.entries.length,
    source: record.source,
    updatedAt: record.updatedAt,
    npcs: usersOf(record, npcs),
  };
}

export function allNpcs(npcs: NpcAccess): Npc[] {
  return npcs.list().map((n) => npcs.get(n.id));
}

export function lorebookSummaries(store: LorebookStore, npcs: NpcAccess): LorebookSummary[] {
  const all = allNpcs(npcs);
  return store.list().map((r) => summaryOf(r, all));
}

/**
 * Attaches the lorebook to exactly `npcIds` (in addition to what each NPC has attached already) and detaches
 * it from every other NPC. Unknown NPC ids are refused before anything is saved. Returns the NPCs changed.
 */
export async function setAttachments(lorebookId: string, npcIds: readonly string[], npcs: NpcAccess): Promise<string[]> {
  const wanted = new Set(npcIds);
  for (const id of wanted) npcs.get(id); // NpcNotFoundError before any change
  const changed: string[] = [];
  for (const npc of allNpcs(npcs)) {
    const attached = npc.studio.lorebooks ?? [];
    const has = attached.includes(lorebookId);
    if (has === wanted.has(npc.id)) continue;
    const lorebooks = has ? attached.filter((id) => id !== lorebookId) : [...attached, lorebookId];
    await npcs.save({ id: npc.id, studio: { ...npc.studio, lorebooks }, card: npc.card });
    changed.push(npc.id);
  }
  return changed;
}
