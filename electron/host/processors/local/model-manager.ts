import type { ShowResponse } from 'ollama';
import type { ModelDetails, ModelList, ModelPullEvent } from '../../../../shared/models';
import { errorMessage } from '../../../../shared/errors';
import type { Logger } from '../../log/logger';
import type { OllamaClientProvider } from './ollama-client-provider';

export interface ModelManagerOptions {
  client: OllamaClientProvider;
  publish(event: ModelPullEvent): void;
  logger?: Logger;
  /** Least time between two progress events of one pull (the last one always goes). */
  progressEveryMs?: number;
}

/**
 * Ollama's models, managed through the real `ollama` client: list (tags + ps), show, pull with progress and
 * cancel, delete. Remembers each model's context length (from show) for the prompt budget.
 */
export class ModelManager {
  private readonly pulls = new Map<string, AbortController>();
  private readonly contextLengths = new Map<string, number>();
  private nextId = 1;

  constructor(private readonly options: ModelManagerOptions) {}

  async list(signal?: AbortSignal): Promise<ModelList> {
    const { client } = this.options;
    const [tags, ps] = await Promise.all([client.list(signal), client.ps(signal)]);
    return {
      available: tags.models.map((m) => ({
        name: m.name,
        sizeBytes: m.size,
        family: m.details?.family ?? '',
        parameterSize: m.details?.parameter_size ?? '',
        quantization: m.details?.quantization_level ?? '',
        modifiedAt: new Date(m.modified_at).toISOString(),
      })),
      loaded: ps.models.map((m) => ({
        name: m.name,
        sizeBytes: m.size,
        vramBytes: m.size_vram,
        expiresAt: new Date(m.expires_at).toISOString(),
      })),
    };
  }

  async show(model: string, signal?: AbortSignal): Promise<ModelDetails> {
    const details = toDetails(model, await this.options.client.show(model, signal));
    if (details.contextLength !== null) this.contextLengths.set(canonical(model), details.contextLength);
    return details;
  }

  /** The model's trained context in tokens, if a show() has told it (undefined otherwise). */
  contextLengthOf(model: string): number | undefined {
    return this.contextLengths.get(canonical(model));
  }

  /** The context length, asking Ollama once per model; undefined when it cannot tell (the chat goes on without). */
  async contextLength(model: string, signal?: AbortSignal): Promise<number | undefined> {
    const known = this.contextLengthOf(model);
    if (known !== undefined) return known;
    try {
      return (await this.show(model, signal)).contextLength ?? undefined;
    } catch {
      return undefined;
    }
  }

  /** Starts pulling; progress goes out as events. Resolves with the pull's id once Ollama has accepted it. */
  pull(model: string): { pullId: string; finished: Promise<ModelPullEvent> } {
    const pullId = `pull-${this.nextId++}`;
    const controller = new AbortController();
    this.pulls.set(pullId, controller);
    const finished = this.run(pullId, model, controller.signal).finally(() => this.pulls.delete(pullId));
    return { pullId, finished };
  }

  /** Closes the pull's stream: Ollama sees the connection close and stops. */
  cancel(pullId: string): boolean {
    const controller = this.pulls.get(pullId);
    if (!controller) return false;
    controller.abort(new DOMException('The pull was cancelled', 'AbortError'));
    return true;
  }

  async delete(model: string): Promise<void> {
    await this.options.client.delete(model);
    this.contextLengths.delete(canonical(model));
  }

  get activePulls(): number {
    return this.pulls.size;
  }

  private async run(pullId: string, model: string, signal: AbortSignal): Promise<ModelPullEvent> {
    const every = this.options.progressEveryMs ?? 100;
    let last: ModelPullEvent = { pullId, model, state: 'pulling', status: 'starting', completedBytes: 0, totalBytes: 0 };
    let sentAt = 0;
    const send = (event: ModelPullEvent, force = false) => {
      last = event;
      const now = performance.now();
      if (!force && now - sentAt < every) return;
      sentAt = now;
      this.options.publish(event);
    };
    send(last, true);
    try {
      for await (const part of await this.options.client.pullStream(model, signal)) {
        const sizes = part.total
          ? { completedBytes: part.completed ?? 0, totalBytes: part.total }
          : { completedBytes: last.completedBytes, totalBytes: last.totalBytes };
        send({ ...last, status: part.status, ...sizes }, part.status !== last.status && !part.total);
      }
      this.options.client.forgetModelLists();
      const done: ModelPullEvent = { ...last, state: 'done', status: 'success', completedBytes: last.totalBytes };
      send(done, true);
      this.options.logger?.info({ model }, `Pulled model ${model}`);
      return done;
    } catch (err) {
      const cancelled = signal.aborted;
      const end: ModelPullEvent = cancelled
        ? { ...last, state: 'cancelled', status: 'cancelled' }
        : { ...last, state: 'failed', status: 'failed', error: errorMessage(err) };
      send(end, true);
      this.options.logger?.[cancelled ? 'info' : 'warn'](
        { model },
        cancelled ? `Pull of ${model} cancelled` : `Pull of ${model} failed: ${end.error}`,
      );
      return end;
    }
  }
}

/** "llama3.2" and "llama3.2:latest" are one model, as Ollama has it. */
function canonical(model: string): string {
  return model.includes(':') ? model : `${model}:latest`;
}

function toDetails(name: string, show: ShowResponse): ModelDetails {
  const info = (show.model_info ?? {}) as unknown as Record<string, unknown>;
  const arch = typeof info['general.architecture'] === 'string' ? info['general.architecture'] : show.details?.family;
  const context = info[`${arch}.context_length`];
  return {
    name,
    family: show.details?.family ?? '',
    parameterSize: show.details?.parameter_size ?? '',
    quantization: show.details?.quantization_level ?? '',
    contextLength: typeof context === 'number' ? context : null,
    capabilities: show.capabilities ?? [],
  };
}
