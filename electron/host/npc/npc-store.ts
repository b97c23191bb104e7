import { randomBytes } from 'node:crypto';
import { access, mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { FileProblem, formatZodPath, readJsonFile, writeJsonAtomic } from '../fs/json-file';
import { healthNow, type Health, type Provider } from '../lifecycle/provider';
import type { Logger } from '../log/logger';
import { openFilePaths } from '../resources/proc';
import { decodeCard, encodeCardJson, encodeCardPng, type CardFormat, type CardInput } from './card-codec';
import { NpcFileConflictError, NpcNotFoundError, NpcValidationError, StoreClosedError } from './npc-errors';
import { npcDraftSchema, npcIdSchema, npcSchema, type Npc, type NpcFileProblem, type NpcSummary } from './npc-schema';

export interface NpcStoreOptions {
  /** The NPC folder, e.g. <user-data>/npcs; one <id>.json per NPC. */
  dir: string;
  logger: Logger;
}

export interface ImportedNpc {
  npc: Npc;
  format: CardFormat;
  warnings: string[];
}

/**
 * NPCs as one JSON file each, written atomically. On open, a file that fails validation is listed in
 * problems() (file + field path) and left exactly as it is: save() and delete() refuse its id rather
 * than overwrite it (choosing a new id silently would leave two NPCs of one name; refusing says why).
 */
export class NpcStore implements Provider {
  readonly id = 'npc-store';
  readonly kind = 'npc-store';
  readonly phase = 'stores' as const;
  private npcs: Map<string, Npc> | null = null;
  private readonly invalid = new Map<string, NpcFileProblem>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly log: Logger;

  constructor(private readonly options: NpcStoreOptions) {
    this.log = options.logger.child({ module: 'npc-store' });
  }

  get dir(): string {
    return this.options.dir;
  }

  async initialize(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const npcs = new Map<string, Npc>();
    this.invalid.clear();
    const names = (await readdir(this.dir)).filter((n) => n.endsWith('.json')).sort();
    for (const name of names) {
      const id = name.slice(0, -'.json'.length);
      const file = join(this.dir, name);
      const problem = await this.loadOne(file, id, npcs);
      if (problem) {
        this.invalid.set(id, problem);
        this.log.warn({ file, fieldPath: problem.fieldPath }, `NPC file kept but not loaded: ${problem.reason}`);
      }
    }
    this.npcs = npcs;
    this.log.info({ npcs: npcs.size, invalid: this.invalid.size }, 'NPC store opened');
  }

  private async loadOne(file: string, id: string, into: Map<string, Npc>): Promise<NpcFileProblem | null> {
    if (!npcIdSchema.safeParse(id).success) return { file, id, reason: 'the file name is not a valid NPC id (letters, digits, "-", "_")' };
    try {
      const npc = (await readJsonFile(file, npcSchema))!;
      if (npc.id !== id) return { file, id, fieldPath: 'id', reason: `"${npc.id}" does not match the file name` };
      into.set(id, npc);
      return null;
    } catch (err) {
      if (err instanceof FileProblem) return { file, id, fieldPath: err.fieldPath, reason: err.reason };
      throw err;
    }
  }

  list(): NpcSummary[] {
    return [...this.open().values()]
      .map((n) => ({ id: n.id, name: n.card.name, tags: [...n.card.tags], processor: n.studio.processor, model: n.studio.model, updatedAt: n.updatedAt }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }

  get(id: string): Npc {
    const npc = this.open().get(id);
    if (!npc) throw new NpcNotFoundError(id);
    return structuredClone(npc);
  }

  /** Files that failed validation on open, each kept untouched. */
  problems(): NpcFileProblem[] {
    return [...this.invalid.values()].map((p) => ({ ...p }));
  }

  /** Validates and writes the NPC; without an id a new one is made from the name. */
  save(draft: unknown): Promise<Npc> {
    return this.track(this.saveNow(draft));
  }

  private async saveNow(draft: unknown): Promise<Npc> {
    const npcs = this.open();
    const parsed = npcDraftSchema.safeParse(draft);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new NpcValidationError(formatZodPath(issue.path) || '(root)', issue.message);
    }
    const id = parsed.data.id ?? this.newId(parsed.data.card.name);
    this.refuseInvalid(id, 'save');
    const existing = npcs.get(id);
    const file = this.fileOf(id);
    if (!existing && parsed.data.id && (await exists(file))) {
      throw new NpcFileConflictError(id, file, 'it appeared after the store was opened', 'save');
    }
    const now = new Date().toISOString();
    const npc = npcSchema.parse({ version: 1, id, createdAt: existing?.createdAt ?? now, updatedAt: now, studio: parsed.data.studio, card: parsed.data.card });
    await writeJsonAtomic(file, npc);
    npcs.set(id, npc);
    this.log.debug({ id, name: npc.card.name }, existing ? 'NPC saved' : 'NPC created');
    return structuredClone(npc);
  }

  delete(id: string): Promise<void> {
    return this.track(this.deleteNow(id));
  }

  private async deleteNow(id: string): Promise<void> {
    const npcs = this.open();
    this.refuseInvalid(id, 'delete');
    if (!npcs.has(id)) throw new NpcNotFoundError(id);
    await unlink(this.fileOf(id));
    npcs.delete(id);
    this.log.debug({ id }, 'NPC deleted');
  }

  /** Imports a V2/V1 card (JSON text, JSON bytes or PNG bytes) as a new NPC. */
  importCard(input: CardInput): Promise<ImportedNpc> {
    return this.track(
      (async () => {
        this.open();
        const decoded = decodeCard(input);
        const npc = await this.saveNow({ card: decoded.card, ...(decoded.studio ? { studio: decoded.studio } : {}) });
        for (const w of decoded.warnings) this.log.warn({ id: npc.id }, `card import: ${w}`);
        return { npc, format: decoded.format, warnings: decoded.warnings };
      })(),
    );
  }

  exportCard(id: string, format: 'json'): string;
  exportCard(id: string, format: 'png', image?: Uint8Array): Buffer;
  exportCard(id: string, format: 'json' | 'png', image?: Uint8Array): string | Buffer {
    const npc = this.get(id);
    return format === 'json' ? encodeCardJson(npc) : encodeCardPng(npc, image);
  }

  async cleanup(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
    if (this.npcs) this.log.info({ npcs: this.npcs.size }, 'NPC store closed');
    this.npcs = null;
  }

  async healthCheck(): Promise<Health> {
    const resources = {
      npcs: this.npcs?.size ?? 0,
      invalidFiles: this.invalid.size,
      openFiles: openFilePaths().filter((p) => p.startsWith(this.dir + '/')).length,
      inFlight: this.pending.size,
    };
    if (!this.npcs) return healthNow('stopped', resources);
    if (this.invalid.size) {
      const first = [...this.invalid.values()][0]!;
      return healthNow('degraded', resources, { lastError: `${this.invalid.size} NPC file(s) failed validation, e.g. ${first.file}: ${first.fieldPath ?? ''} ${first.reason}` });
    }
    return healthNow('healthy', resources);
  }

  private open(): Map<string, Npc> {
    if (!this.npcs) throw new StoreClosedError('the NPC store');
    return this.npcs;
  }

  private refuseInvalid(id: string, action: 'save' | 'delete'): void {
    const problem = this.invalid.get(id);
    if (problem) throw new NpcFileConflictError(id, problem.file, `${problem.fieldPath ? `${problem.fieldPath}: ` : ''}${problem.reason}`, action);
  }

  private fileOf(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  private newId(name: string): string {
    const slug = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'npc';
    for (;;) {
      const id = `${slug}-${randomBytes(3).toString('hex')}`;
      if (!this.npcs?.has(id) && !this.invalid.has(id)) return id;
    }
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.pending.add(work);
    void work.then(
      () => this.pending.delete(work),
      () => this.pending.delete(work),
    );
    return work;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
