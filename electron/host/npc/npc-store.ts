import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { formatZodPath } from '../fs/json-file';
import { JsonRecordFolder, type RecordFileProblem } from '../fs/json-record-folder';
import type { Health } from '../../../shared/health';
import { healthNow, type Provider } from '../lifecycle/provider';
import type { Logger } from '../log/logger';
import { ART_TYPES, inspectArt, type ArtExt, type ArtInfo } from './card-art';
import { decodeCardFile, encodeCardJson, encodeCardPng, encodeCharx, type CardFormat, type CardInput } from './card-codec';
import { exportFileName } from './export-file-name';
import { NpcFileConflictError, NpcNotFoundError, NpcValidationError, StoreClosedError } from './npc-errors';
import { npcIdSchema } from '../../../shared/ids';
import { npcDraftSchema, npcSchema, type Npc, type NpcSummary } from '../../../shared/npc';

/** A file in the NPC folder that could not be used; it is kept as it is. */
export type NpcFileProblem = RecordFileProblem;

export interface NpcStoreOptions {
  /** The NPC folder, e.g. <user-data>/npcs; one <id>.json per NPC. */
  dir: string;
  logger: Logger;
  /**
   * App data a CHARX carries beside the card (the NPC's test suite, suites/suite-charx.ts): `export` turns the
   * files kept from import into the files to write; `import` takes an imported NPC's files and returns warnings.
   */
  charxAppData?: {
    export(npcId: string, kept: ReadonlyMap<string, Buffer>): Map<string, Buffer>;
    import(npcId: string, files: ReadonlyMap<string, Buffer>): Promise<string[]>;
  };
}

export interface ImportedNpc {
  npc: Npc;
  format: CardFormat;
  warnings: string[];
}

export interface NpcArt {
  bytes: Buffer;
  info: ArtInfo;
}

export type CardExportFormat = 'json' | 'json-v3' | 'png' | 'charx';

export interface ExportedCardFile {
  fileName: string;
  mime: 'application/json' | 'image/png' | 'application/zip';
  bytes: Buffer;
}

const ART_FILE = /^art\.(png|jpg|webp)$/;

/**
 * NPCs as one JSON file each, written atomically. Each NPC's files beside its card live in <id>.assets/:
 * art.<png|jpg|webp> (the card art) and charx/… (CHARX entries kept for export, by their path in the zip).
 * On open, a file that fails validation is listed in
 * problems() (file + field path) and left exactly as it is: save() and delete() refuse its id rather
 * than overwrite it (choosing a new id silently would leave two NPCs of one name; refusing says why).
 */
export class NpcStore implements Provider {
  readonly id = 'npc-store';
  readonly kind = 'npc-store';
  readonly phase = 'stores' as const;
  private readonly folder: JsonRecordFolder<Npc>;
  private readonly log: Logger;
  /** NPCs with an art.<ext> in their assets folder (found on open, kept up to date by writes), for list(). */
  private readonly withArt = new Set<string>();

  constructor(private readonly options: NpcStoreOptions) {
    this.log = options.logger.child({ module: 'npc-store' });
    this.folder = new JsonRecordFolder({
      dir: options.dir,
      schema: npcSchema,
      idField: 'id',
      isValidId: (id) => npcIdSchema.safeParse(id).success,
      invalidIdReason: 'the file name is not a valid NPC id (letters, digits, "-", "_")',
      logger: this.log,
      keptMessage: 'NPC file kept but not loaded',
      refusal: (id, problem, action) =>
        new NpcFileConflictError(id, problem.file, `${problem.fieldPath ? `${problem.fieldPath}: ` : ''}${problem.reason}`, action),
      closed: () => new StoreClosedError('the NPC store'),
    });
  }

  get dir(): string {
    return this.options.dir;
  }

  async initialize(): Promise<void> {
    const { loaded, invalid } = await this.folder.open();
    await this.findArt();
    this.log.info({ npcs: loaded, invalid, withArt: this.withArt.size }, 'NPC store opened');
  }

  list(): NpcSummary[] {
    return this.folder
      .values()
      .map((n) => ({
        id: n.id,
        name: n.card.name,
        tags: [...n.card.tags],
        processor: n.studio.processor,
        model: n.studio.model,
        updatedAt: n.updatedAt,
        hasArt: this.withArt.has(n.id),
      }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }

  get(id: string): Npc {
    return structuredClone(this.peek(id));
  }

  /** The stored NPC itself, not a copy: to read, never to change (get() gives a copy). A save replaces it whole. */
  peek(id: string): Readonly<Npc> {
    const npc = this.folder.peek(id);
    if (!npc) throw new NpcNotFoundError(id);
    return npc;
  }

  /** Files that failed validation on open, each kept untouched. */
  problems(): NpcFileProblem[] {
    return this.folder.problems();
  }

  /** Validates and writes the NPC; without an id a new one is made from the name. */
  save(draft: unknown): Promise<Npc> {
    return this.folder.track(this.saveNow(draft));
  }

  private async saveNow(draft: unknown): Promise<Npc> {
    this.folder.assertOpen();
    const parsed = npcDraftSchema.safeParse(draft);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new NpcValidationError(formatZodPath(issue.path) || '(root)', issue.message);
    }
    const id = parsed.data.id ?? this.folder.newId(parsed.data.card.name, 'npc');
    this.folder.refuseDamaged(id, 'save');
    const existing = this.folder.peek(id);
    if (!existing && parsed.data.id && (await this.folder.fileExists(id))) {
      throw new NpcFileConflictError(id, this.folder.fileOf(id), 'it appeared after the store was opened', 'save');
    }
    const now = new Date().toISOString();
    const cardExtra = parsed.data.cardExtra ?? existing?.cardExtra;
    const npc = npcSchema.parse({
      version: 1,
      id,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
      studio: parsed.data.studio,
      card: parsed.data.card,
      ...(cardExtra && Object.keys(cardExtra).length ? { cardExtra } : {}),
    });
    await this.folder.write(id, npc);
    this.log.debug({ id, name: npc.card.name }, existing ? 'NPC saved' : 'NPC created');
    return structuredClone(npc);
  }

  delete(id: string): Promise<void> {
    return this.folder.track(this.deleteNow(id));
  }

  private async deleteNow(id: string): Promise<void> {
    this.folder.assertOpen();
    this.folder.refuseDamaged(id, 'delete');
    if (!this.folder.has(id)) throw new NpcNotFoundError(id);
    await this.folder.remove(id);
    await rm(this.assetsDir(id), { recursive: true, force: true });
    this.withArt.delete(id);
    this.log.debug({ id }, 'NPC deleted');
  }

  /**
   * Imports a card (V1/V2/V3 JSON text or bytes, PNG, CHARX) as a new NPC, with its art and CHARX assets.
   * Validated with the schema and limits save uses, so what imports saves; if its files cannot be written
   * the NPC is removed again.
   */
  importCard(input: CardInput): Promise<ImportedNpc> {
    return this.folder.track(
      (async () => {
        this.folder.assertOpen();
        const decoded = await decodeCardFile(input);
        const npc = await this.saveNow({
          card: decoded.card,
          ...(decoded.studio ? { studio: decoded.studio } : {}),
          ...(Object.keys(decoded.extra).length ? { cardExtra: decoded.extra } : {}),
        });
        try {
          if (decoded.art) await this.writeArt(npc.id, decoded.art);
          for (const [path, bytes] of decoded.files) await this.writeInside(join(this.assetsDir(npc.id), 'charx'), path, bytes);
        } catch (err) {
          await rm(this.assetsDir(npc.id), { recursive: true, force: true });
          this.withArt.delete(npc.id);
          await this.folder.remove(npc.id);
          throw err;
        }
        if (this.options.charxAppData && decoded.files.size)
          decoded.warnings.push(...(await this.options.charxAppData.import(npc.id, decoded.files)));
        for (const w of decoded.warnings) this.log.warn({ id: npc.id }, `card import: ${w}`);
        return { npc, format: decoded.format, warnings: decoded.warnings };
      })(),
    );
  }

  /**
   * The NPC as a card file: V2 JSON (with the V1 fields), V3 JSON, a PNG of its art with the card in it,
   * or a CHARX with the art as its icon and the assets it came with.
   */
  async exportCard(id: string, format: CardExportFormat): Promise<ExportedCardFile> {
    const npc = this.get(id);
    const art = await this.getArt(id);
    const name = (ext: string) => exportFileName(npc.card.name, npc.id, ext);
    switch (format) {
      case 'json':
      case 'json-v3':
        return {
          fileName: name(format === 'json' ? 'json' : 'v3.json'),
          mime: 'application/json',
          bytes: Buffer.from(encodeCardJson(npc, format === 'json' ? 'v2' : 'v3'), 'utf8'),
        };
      case 'png':
        return { fileName: name('png'), mime: 'image/png', bytes: encodeCardPng(npc, art?.bytes) };
      case 'charx': {
        const kept = await this.readCharxFiles(id);
        const files = this.options.charxAppData ? this.options.charxAppData.export(id, kept) : kept;
        const bytes = await encodeCharx(npc, art ? { bytes: art.bytes, ext: art.info.ext } : undefined, files);
        return { fileName: name('charx'), mime: 'application/zip', bytes };
      }
    }
  }

  /** The NPC's card art, or null when it has none. */
  async getArt(id: string): Promise<NpcArt | null> {
    this.get(id);
    const names = await readdir(this.assetsDir(id)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    const name = names.filter((n) => ART_FILE.test(n)).sort()[0];
    if (!name) return null;
    const bytes = await readFile(join(this.assetsDir(id), name));
    return { bytes, info: inspectArt(bytes) };
  }

  /** Replaces the NPC's art with a PNG, JPEG or WebP image (checked; ArtError says why not); the NPC's updatedAt moves. */
  setArt(id: string, bytes: Uint8Array): Promise<ArtInfo> {
    return this.folder.track(
      (async () => {
        this.folder.refuseDamaged(id, 'save');
        const npc = this.get(id);
        const info = await this.writeArt(id, bytes);
        await this.folder.write(id, npcSchema.parse({ ...npc, updatedAt: new Date().toISOString() }));
        return info;
      })(),
    );
  }

  private async writeArt(id: string, bytes: Uint8Array): Promise<ArtInfo> {
    const info = inspectArt(bytes);
    const dir = this.assetsDir(id);
    await mkdir(dir, { recursive: true });
    await writeFileAtomic(join(dir, `art.${info.ext}`), Buffer.from(bytes), { fsync: true, mode: 0o600 });
    for (const ext of Object.keys(ART_TYPES) as ArtExt[]) {
      if (ext !== info.ext) await rm(join(dir, `art.${ext}`), { force: true });
    }
    this.withArt.add(id);
    return info;
  }

  private async findArt(): Promise<void> {
    this.withArt.clear();
    const ids = this.folder.values().map((n) => n.id);
    const found = await Promise.all(
      ids.map(async (id) => {
        const names = await readdir(this.assetsDir(id)).catch(() => [] as string[]);
        return names.some((n) => ART_FILE.test(n)) ? id : null;
      }),
    );
    for (const id of found) if (id) this.withArt.add(id);
  }

  /** Writes `path` (a relative, `/`-separated path) under `base`; refuses anything that would land outside it. */
  private async writeInside(base: string, path: string, bytes: Uint8Array): Promise<void> {
    const file = join(base, ...path.split('/'));
    const rel = relative(base, file);
    if (!rel || rel.startsWith('..') || rel.startsWith(sep) || path.split('/').some((p) => p === '..' || p === '.' || p === '')) {
      throw new NpcValidationError(path, 'the asset path leaves the NPC folder; refused');
    }
    await mkdir(dirname(file), { recursive: true });
    await writeFileAtomic(file, Buffer.from(bytes), { fsync: true, mode: 0o600 });
  }

  private async readCharxFiles(id: string): Promise<Map<string, Buffer>> {
    const base = join(this.assetsDir(id), 'charx');
    const files = new Map<string, Buffer>();
    const entries = await readdir(base, { recursive: true, withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [];
      throw err;
    });
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const file = join(entry.parentPath, entry.name);
      files.set(relative(base, file).split(sep).join('/'), await readFile(file));
    }
    return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  async cleanup(): Promise<void> {
    const npcs = await this.folder.close();
    if (npcs !== null) this.log.info({ npcs }, 'NPC store closed');
  }

  async healthCheck(): Promise<Health> {
    const resources = {
      npcs: this.folder.size,
      invalidFiles: this.folder.invalidCount,
      openFiles: this.folder.openFiles(),
      inFlight: this.folder.inFlight,
    };
    if (!this.folder.isOpen) return healthNow('stopped', resources);
    const lastError = this.folder.describeProblems('NPC');
    return lastError ? healthNow('degraded', resources, { lastError }) : healthNow('healthy', resources);
  }

  private assetsDir(id: string): string {
    return join(this.dir, `${id}.assets`);
  }
}
