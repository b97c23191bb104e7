import type { ProcessorKind } from '../../../shared/npc';
import type { Processor } from '../processors/processor';

/**
 * Where samples run: one Ollama URL (its own client and processor) or Bedrock, with how many samples it takes
 * at once. A run spreads its samples over every endpoint of the backend's processor that has the model.
 */
export interface Endpoint {
  /** e.g. `ollama http://10.0.0.5:11434`, `bedrock`. */
  readonly label: string;
  readonly processor: ProcessorKind;
  readonly concurrency: number;
  /** Untracked: the runner records usage itself, so a sample knows its cost. */
  readonly chat: Processor;
  /**
   * Reachability before a run: the models it serves (null when it cannot list them, as with Bedrock).
   * Throws when the endpoint cannot be reached.
   */
  models(signal?: AbortSignal): Promise<string[] | null>;
  /** Whether requests to it carry a seed (Ollama options.seed); Bedrock Converse has none. */
  readonly seeded: boolean;
}

/** Ollama answers to `llama3.2` for `llama3.2:latest`: compare names with their tag. */
export function sameModel(a: string, b: string): boolean {
  const full = (m: string) => (m.includes(':') ? m : `${m}:latest`);
  return full(a) === full(b);
}

/** An endpoint of the pool as a run sees it: its model list (from the preflight) and free slots. */
export class PoolSlot {
  private busy = 0;

  constructor(
    readonly endpoint: Endpoint,
    /** null: unknown, any model is tried. */
    readonly models: string[] | null,
  ) {}

  serves(processor: ProcessorKind, model: string): boolean {
    if (this.endpoint.processor !== processor) return false;
    return this.models === null || this.models.some((m) => sameModel(m, model));
  }

  get free(): boolean {
    return this.busy < this.endpoint.concurrency;
  }

  acquire(): void {
    this.busy++;
  }

  release(): void {
    this.busy--;
  }
}
