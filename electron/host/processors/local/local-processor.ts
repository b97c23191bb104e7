import type { Health } from '../../../../shared/health';
import { healthNow, type Provider } from '../../lifecycle/provider';
import type { Logger } from '../../log/logger';
import type { ChatEvent, ChatRequest, EmbeddingFunction, Processor } from '../processor';
import { ChatEventStream } from './chat-event-stream';
import { toOllamaChat, validateChatRequest } from './chat-request';
import type { OllamaClientProvider } from './ollama-client-provider';
import { LocalProcessorClosedError } from './local-processor-errors';
import { OllamaError } from './ollama-errors';

export const DEFAULT_EMBEDDING_MODEL = 'nomic-embed-text';

export interface LocalProcessorOptions {
  client: OllamaClientProvider;
  id?: string;
  embeddingModel?: string;
  /** Texts per /api/embed request. */
  embedBatchSize?: number;
  logger?: Logger;
}

/** One chat or embed in flight: aborting it cancels its HTTP request. */
interface Work {
  signal: AbortSignal;
  abort(reason: unknown): void;
  unlink(): void;
}

/** An AbortError carrying the abort reason, as the Processor contract promises. */
function abortError(reason: unknown): Error {
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const message = reason instanceof Error ? reason.message : 'The chat was stopped';
  return Object.assign(new DOMException(message, 'AbortError'), { cause: reason });
}

/** Chats and embeds through a local Ollama. Closing aborts its in-flight work; the client closes in its own step. */
export class LocalProcessor implements Provider, Processor {
  readonly id: string;
  readonly kind = 'local' as const;
  readonly phase = 'processors' as const;
  readonly embeddingModel: string;
  /** What the knowledge store is given; it calls back into this processor. */
  readonly embedding: EmbeddingFunction;
  private client: OllamaClientProvider | null;
  private readonly inFlight = new Set<Work>();
  private readonly batchSize: number;
  private readonly logger: Logger | undefined;
  private closing: Promise<void> | null = null;
  private chatsServed = 0;

  constructor(options: LocalProcessorOptions) {
    this.client = options.client;
    this.id = options.id ?? 'local-processor';
    this.embeddingModel = options.embeddingModel ?? DEFAULT_EMBEDDING_MODEL;
    this.batchSize = options.embedBatchSize ?? 64;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1)
      throw new RangeError(`embedBatchSize must be a positive integer, got ${this.batchSize}`);
    this.logger = options.logger;
    this.embedding = { model: `ollama:${this.embeddingModel}`, embed: (texts, signal) => this.embed(texts, signal) };
  }

  /** Lazy like a generator: nothing is checked or sent until the first next(), where any error surfaces. */
  chat(request: ChatRequest, signal: AbortSignal): AsyncIterable<ChatEvent> {
    let work: Work | null = null;
    return new ChatEventStream({
      open: () => {
        const client = this.requireClient();
        const body = toOllamaChat(validateChatRequest(request));
        work = this.begin(signal);
        return client.chatStream(body, work.signal);
      },
      failure: (err) => (work?.signal.aborted ? abortError(work.signal.reason) : err),
      end: (completed) => {
        if (completed) this.chatsServed++;
        if (work) this.end(work);
      },
    });
  }

  /** EmbeddingFunction.embed: one vector per text, in order, batched over /api/embed. */
  async embed(texts: string[], signal?: AbortSignal): Promise<number[][]> {
    if (!Array.isArray(texts) || texts.some((t) => typeof t !== 'string')) throw new TypeError('embed() takes an array of strings');
    const client = this.requireClient();
    if (texts.length === 0) return [];
    const work = this.begin(signal);
    try {
      const vectors: number[][] = [];
      for (let i = 0; i < texts.length; i += this.batchSize) {
        const batch = texts.slice(i, i + this.batchSize);
        const { embeddings } = await client.embed({ model: this.embeddingModel, input: batch }, work.signal);
        if (embeddings?.length !== batch.length) {
          throw new OllamaError(
            `Ollama returned ${embeddings?.length ?? 0} embeddings for ${batch.length} texts (model "${this.embeddingModel}")`,
            client.url,
            'Check that the embedding model is an embedding model.',
          );
        }
        vectors.push(...embeddings);
      }
      const dim = vectors[0]!.length;
      if (vectors.some((v) => v.length !== dim))
        throw new OllamaError(
          `Ollama returned embeddings of different lengths (model "${this.embeddingModel}")`,
          client.url,
          'Check the embedding model.',
        );
      return vectors;
    } catch (err) {
      if (work.signal.aborted) throw abortError(work.signal.reason);
      throw err;
    } finally {
      this.end(work);
    }
  }

  async healthCheck(): Promise<Health> {
    const resources = { inFlight: this.inFlight.size, chatsServed: this.chatsServed, embeddingModel: this.embeddingModel };
    return healthNow(this.client ? 'healthy' : 'stopped', resources);
  }

  /** Aborts in-flight chats and embeds and drops the client. Idempotent. */
  cleanup(): Promise<void> {
    this.closing ??= this.close();
    return this.closing;
  }

  private async close(): Promise<void> {
    const aborted = this.inFlight.size;
    for (const work of this.inFlight) work.abort(new DOMException('The local processor is closing', 'AbortError'));
    this.inFlight.clear();
    this.client = null;
    this.logger?.debug({ provider: this.id, aborted }, 'local processor closed');
  }

  private requireClient(): OllamaClientProvider {
    if (!this.client) throw new LocalProcessorClosedError();
    return this.client;
  }

  private begin(signal: AbortSignal | undefined): Work {
    if (signal?.aborted) throw abortError(signal.reason);
    const controller = new AbortController();
    const forward = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', forward, { once: true });
    const work: Work = {
      signal: controller.signal,
      abort: (reason) => controller.abort(reason),
      unlink: () => signal?.removeEventListener('abort', forward),
    };
    this.inFlight.add(work);
    return work;
  }

  private end(work: Work): void {
    this.inFlight.delete(work);
    work.unlink();
  }
}
