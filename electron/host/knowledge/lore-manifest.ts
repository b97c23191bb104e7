import { z } from 'zod';
import { readJsonFile, writeJsonAtomic } from '../fs/json-file';

const sourceSchema = z.strictObject({
  /** "incomplete" is written before the first chunk is stored and replaced only once all are stored. */
  state: z.enum(['complete', 'incomplete']),
  chunks: z.number().int().min(0),
  scratch: z.boolean(),
  origin: z.enum(['text', 'file']),
  path: z.string().optional(),
  updatedAt: z.string(),
});

const npcSchema = z.strictObject({
  /** The Chroma collection holding this NPC's lore; a reindex builds the next generation, then switches. */
  collection: z.string(),
  generation: z.number().int().min(0),
  sources: z.record(z.string(), sourceSchema),
});

const manifestSchema = z.strictObject({ version: z.literal(1), npcs: z.record(z.string(), npcSchema) });

export type SourceEntry = z.infer<typeof sourceSchema>;
export type NpcLoreEntry = z.infer<typeof npcSchema>;
type ManifestData = z.infer<typeof manifestSchema>;

export function collectionPrefix(npcId: string): string {
  return `lore-${npcId}-`;
}

export function collectionName(npcId: string, generation: number): string {
  return `${collectionPrefix(npcId)}g${generation}`;
}

/**
 * Which lore sources each NPC has and whether each was stored completely. Every change is written
 * atomically (temp file, fsync, rename) and in order, so after a crash the file is whole and a source
 * whose chunks were being written is marked incomplete.
 */
export class LoreManifest {
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    readonly file: string,
    private readonly data: ManifestData,
  ) {}

  static async load(file: string): Promise<LoreManifest> {
    const data = (await readJsonFile(file, manifestSchema)) ?? { version: 1 as const, npcs: {} };
    return new LoreManifest(file, data);
  }

  npc(npcId: string): NpcLoreEntry | undefined {
    return this.data.npcs[npcId];
  }

  npcIds(): string[] {
    return Object.keys(this.data.npcs);
  }

  ensureNpc(npcId: string): NpcLoreEntry {
    return (this.data.npcs[npcId] ??= { collection: collectionName(npcId, 0), generation: 0, sources: {} });
  }

  setSource(npcId: string, source: string, entry: Omit<SourceEntry, 'updatedAt'>): Promise<void> {
    this.ensureNpc(npcId).sources[source] = { ...entry, updatedAt: new Date().toISOString() };
    return this.save();
  }

  removeSource(npcId: string, source: string): Promise<void> {
    const npc = this.data.npcs[npcId];
    if (npc) delete npc.sources[source];
    return this.save();
  }

  /** Forgets the NPC and every source it had. */
  removeNpc(npcId: string): Promise<void> {
    delete this.data.npcs[npcId];
    return this.save();
  }

  switchCollection(npcId: string, generation: number): Promise<void> {
    const npc = this.ensureNpc(npcId);
    npc.generation = generation;
    npc.collection = collectionName(npcId, generation);
    return this.save();
  }

  /** Writes the current content; writes happen one after another in call order. */
  save(): Promise<void> {
    const snapshot = structuredClone(this.data);
    const write = this.writes.then(() => writeJsonAtomic(this.file, snapshot));
    this.writes = write.catch(() => undefined);
    return write;
  }

  /** Waits for pending writes. */
  async flush(): Promise<void> {
    await this.writes;
  }
}
