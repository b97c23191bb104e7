import { randomBytes } from 'node:crypto';
import { copyFile } from 'node:fs/promises';
import { FileProblem, readJsonFile, writeJsonAtomic } from '../fs/json-file';
import type { Health } from '../../../shared/health';
import { healthNow, type Provider } from '../lifecycle/provider';
import type { Logger } from '../log/logger';
import {
  DEFAULT_USER_NAME,
  PERSONA_LIMITS,
  personaDraftSchema,
  personaFileSchema,
  type Persona,
  type PersonaDraft,
  type PersonaFile,
  type PersonaList,
} from '../../../shared/personas';
import { StoreClosedError } from './npc-errors';

export class PersonaNotFoundError extends Error {
  constructor(readonly personaId: string) {
    super(`There is no persona "${personaId}"; it may have been deleted. Pick another one in the persona list.`);
    this.name = 'PersonaNotFoundError';
  }
}

/** Who `{{user}}` is in a prompt: a persona's name and description, or "User" with none. */
export interface ResolvedPersona {
  personaId?: string;
  name: string;
  description: string;
}

/**
 * The designer's personas in one JSON file (<data>/personas.json), written atomically. A damaged file is
 * copied aside (personas.damaged-<time>.json), reported, and the studio starts with no personas.
 */
export class PersonaStore implements Provider {
  readonly id = 'persona-store';
  readonly kind = 'persona-store';
  readonly phase = 'stores' as const;
  private data: PersonaFile | null = null;
  private writing: Promise<unknown> = Promise.resolve();
  /** What was wrong with the file at start, if anything. */
  problem: string | null = null;

  constructor(private readonly options: { file: string; logger: Logger }) {}

  async initialize(): Promise<void> {
    try {
      this.data = (await readJsonFile(this.options.file, personaFileSchema)) ?? { version: 1, defaultId: null, personas: [] };
    } catch (err) {
      if (!(err instanceof FileProblem)) throw err;
      const aside = this.options.file.replace(/\.json$/, '') + `.damaged-${Date.now()}.json`;
      await copyFile(this.options.file, aside);
      this.problem = `${err.message}; kept as ${aside}, starting with no personas`;
      this.options.logger.warn({ file: this.options.file, aside }, `personas: ${this.problem}`);
      this.data = { version: 1, defaultId: null, personas: [] };
    }
  }

  list(): PersonaList {
    const data = this.open();
    return { personas: data.personas.map((p) => ({ ...p })), defaultId: data.defaultId };
  }

  get(id: string): Persona {
    const found = this.open().personas.find((p) => p.id === id);
    if (!found) throw new PersonaNotFoundError(id);
    return { ...found };
  }

  /** The persona of a conversation (its own, else the default, else "User"); a deleted one falls back. */
  resolve(personaId: string | null | undefined): ResolvedPersona {
    const data = this.open();
    const chosen = data.personas.find((p) => p.id === personaId) ?? data.personas.find((p) => p.id === data.defaultId);
    return chosen
      ? { personaId: chosen.id, name: chosen.name, description: chosen.description }
      : { name: DEFAULT_USER_NAME, description: '' };
  }

  async save(draft: PersonaDraft): Promise<Persona> {
    const input = personaDraftSchema.parse(draft);
    return this.change((data) => {
      const now = new Date().toISOString();
      if (input.id) {
        const at = data.personas.findIndex((p) => p.id === input.id);
        if (at >= 0) {
          const updated = { ...data.personas[at]!, name: input.name, description: input.description, updatedAt: now };
          data.personas[at] = updated;
          return updated;
        }
      }
      if (data.personas.length >= PERSONA_LIMITS.personas)
        throw new Error(`There are already ${PERSONA_LIMITS.personas} personas; delete one first.`);
      const created = {
        id: input.id ?? `p-${randomBytes(4).toString('hex')}`,
        name: input.name,
        description: input.description,
        createdAt: now,
        updatedAt: now,
      };
      data.personas.push(created);
      return created;
    });
  }

  async delete(id: string): Promise<boolean> {
    return this.change((data) => {
      const before = data.personas.length;
      data.personas = data.personas.filter((p) => p.id !== id);
      if (data.defaultId === id) data.defaultId = null;
      return data.personas.length < before;
    });
  }

  async setDefault(id: string | null): Promise<PersonaList> {
    await this.change((data) => {
      if (id !== null && !data.personas.some((p) => p.id === id)) throw new PersonaNotFoundError(id);
      data.defaultId = id;
    });
    return this.list();
  }

  async cleanup(): Promise<void> {
    await this.writing.catch(() => undefined);
    this.data = null;
  }

  async healthCheck(): Promise<Health> {
    if (!this.data) return healthNow('stopped', {});
    const resources = { personas: this.data.personas.length };
    return this.problem ? healthNow('degraded', resources, { lastError: this.problem }) : healthNow('healthy', resources);
  }

  /** Applies `edit` to a copy, writes it, and only then makes it current: a failed write changes nothing. */
  private change<T>(edit: (data: PersonaFile) => T): Promise<T> {
    const run = this.writing.then(async () => {
      const next = structuredClone(this.open());
      const result = edit(next);
      await writeJsonAtomic(this.options.file, next);
      this.data = next;
      return result;
    });
    this.writing = run.catch(() => undefined);
    return run;
  }

  private open(): PersonaFile {
    if (!this.data) throw new StoreClosedError('the persona store');
    return this.data;
  }
}
