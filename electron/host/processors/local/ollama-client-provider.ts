import {
  Ollama,
  type ChatRequest,
  type ChatResponse,
  type EmbedRequest,
  type EmbedResponse,
  type ListResponse,
  type ProgressResponse,
  type ShowResponse,
} from 'ollama';
import { Agent, fetch as undiciFetch } from 'undici';
import type { Health } from '../../../../shared/health';
import { healthNow, type Provider } from '../../lifecycle/provider';
import type { Logger } from '../../log/logger';
import { socketsToPort } from '../../resources/proc';
import { toOllamaError, type MappingContext } from './to-ollama-error';
import { OllamaClosedError } from './ollama-errors';
import { Operation } from './operation';

export const DEFAULT_OLLAMA_URL = 'http://127.0.0.1:11434';

export interface OllamaTimeouts {
  connectMs: number;
  /** Until the response starts; a cold model load happens before Ollama sends anything. */
  firstByteMs: number;
  /** Between two parts of a reply. */
  nextChunkMs: number;
  healthMs: number;
}

/** How long the health check reuses Ollama's model lists (a chat, embed, pull or delete forgets them). */
const MODEL_LISTS_MS = 5_000;

export const DEFAULT_TIMEOUTS: OllamaTimeouts = { connectMs: 5_000, firstByteMs: 120_000, nextChunkMs: 60_000, healthMs: 3_000 };

export interface OllamaClientOptions {
  url?: string;
  id?: string;
  timeouts?: Partial<OllamaTimeouts>;
  logger?: Logger;
}

export type StreamingChatRequest = Omit<ChatRequest, 'stream'>;

/**
 * The `ollama` client on a dedicated undici Agent: every socket it opens is this provider's to count and close.
 * Each call gets its own small Ollama instance bound to its own AbortSignal (the ollama-js README's advice for
 * per-stream control), so one stop cancels exactly one HTTP request. It never starts or stops Ollama itself.
 */
export class OllamaClientProvider implements Provider {
  readonly id: string;
  readonly kind = 'ollama-client';
  readonly phase = 'clients' as const;
  readonly url: string;
  readonly timeouts: OllamaTimeouts;
  private agent: Agent | null = null;
  private readonly operations = new Set<Operation>();
  private closing: Promise<void> | null = null;
  private lastError: string | undefined;
  private readonly logger: Logger | undefined;
  private modelsCache: { at: number; lists: [ListResponse, ListResponse] } | null = null;

  constructor(options: OllamaClientOptions = {}) {
    this.url = normaliseUrl(options.url ?? DEFAULT_OLLAMA_URL);
    this.id = options.id ?? 'ollama-client';
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.logger = options.logger;
  }

  /** Opens the agent only: the studio starts whether or not Ollama is running (health tells which). */
  async initialize(): Promise<void> {
    if (this.agent) return;
    const { connectMs, firstByteMs, nextChunkMs } = this.timeouts;
    this.agent = new Agent({ connectTimeout: connectMs, headersTimeout: firstByteMs, bodyTimeout: nextChunkMs });
    this.closing = null;
  }

  get port(): number {
    const u = new URL(this.url);
    return Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  }

  /** Sockets the agent holds open right now (idle keep-alive ones included). */
  get openSockets(): number {
    if (!this.agent) return 0;
    return Object.values(this.agent.stats).reduce((n, s) => n + Number(s.connected), 0);
  }

  get inFlightStreams(): number {
    return [...this.operations].filter((op) => op.streaming).length;
  }

  /** Streams a chat reply. Aborting `signal` cancels the HTTP request (the socket is destroyed). */
  async chatStream(request: StreamingChatRequest, signal?: AbortSignal): Promise<AsyncIterable<ChatResponse>> {
    this.modelsCache = null;
    const op = this.begin(signal, true);
    try {
      const parts = await op.client.chat({ ...request, stream: true });
      return op.guard(parts, (err) => this.mapError(err, request.model));
    } catch (err) {
      op.release();
      throw this.mapError(err, request.model);
    }
  }

  embed(request: EmbedRequest, signal?: AbortSignal): Promise<EmbedResponse> {
    this.modelsCache = null;
    return this.call((c) => c.embed(request), signal, request.model);
  }

  version(signal?: AbortSignal): Promise<string> {
    return this.call(async (c) => (await c.version()).version, signal);
  }

  list(signal?: AbortSignal): Promise<ListResponse> {
    return this.call((c) => c.list(), signal);
  }

  ps(signal?: AbortSignal): Promise<ListResponse> {
    return this.call((c) => c.ps(), signal);
  }

  /** Streams a pull's progress; aborting `signal` closes the stream, which is how Ollama learns of a cancel. */
  async pullStream(model: string, signal?: AbortSignal): Promise<AsyncIterable<ProgressResponse>> {
    this.modelsCache = null;
    const op = this.begin(signal, true);
    try {
      const parts: AsyncIterable<ProgressResponse & { done?: boolean }> = await op.client.pull({ model, stream: true });
      return op.guard(parts, (err) => this.mapError(err, model));
    } catch (err) {
      op.release();
      throw this.mapError(err, model);
    }
  }

  delete(model: string, signal?: AbortSignal): Promise<void> {
    this.modelsCache = null;
    return this.call(async (c) => void (await c.delete({ model })), signal, model);
  }

  show(model: string, signal?: AbortSignal): Promise<ShowResponse> {
    return this.call((c) => c.show({ model }), signal, model);
  }

  /** Reachability, version and latency from /api/version; models from /api/tags and /api/ps; sockets and streams. */
  async healthCheck(): Promise<Health> {
    const figures = () => ({
      url: this.url,
      // While open, what the agent holds; once closed, what /proc still shows towards the port (should be 0).
      openSockets: this.agent ? this.openSockets : socketsToPort(this.port),
      osSocketsToPort: socketsToPort(this.port),
      inFlight: this.inFlightStreams,
    });
    if (!this.agent) return healthNow('stopped', { reachable: false, ...figures() });
    const signal = AbortSignal.timeout(this.timeouts.healthMs);
    const started = performance.now();
    let version: string;
    try {
      version = await this.ping(signal);
    } catch (err) {
      return healthNow('unhealthy', { reachable: false, ...figures() }, problem(err));
    }
    const latencyMs = performance.now() - started;
    try {
      const [tags, loaded] = await this.modelLists(signal);
      const models = { modelsAvailable: tags.models.map((m) => m.name), modelsLoaded: loaded.models.map((m) => m.name) };
      return healthNow('healthy', { reachable: true, version, ...models, ...figures() }, { latencyMs, lastError: this.lastError });
    } catch (err) {
      return healthNow('degraded', { reachable: true, version, ...figures() }, { latencyMs, ...problem(err) });
    }
  }

  /**
   * /api/tags and /api/ps for the health card, re-asked every MODEL_LISTS_MS (they change only when a model is
   * used, pulled or deleted, and each of those calls forgets the cached lists at once).
   */
  /**
   * GET /api/version straight on the agent: the health beat's one request per second, without the cost of a
   * client and a WHATWG fetch. An HTTP error is asked again through the client so it is worded the same way.
   */
  private async ping(signal: AbortSignal): Promise<string> {
    const agent = this.agent;
    if (!agent) throw new OllamaClosedError(this.url);
    let status: number;
    let text: string;
    try {
      const response = await agent.request({ origin: this.url, path: '/api/version', method: 'GET', signal });
      status = response.statusCode;
      text = await response.body.text();
    } catch (err) {
      throw this.mapError(err);
    }
    if (status === 200) {
      try {
        const version = (JSON.parse(text) as { version?: unknown }).version;
        if (typeof version === 'string') return version;
      } catch {
        /* not Ollama's answer: the client's path below words the problem */
      }
    }
    return this.version(signal);
  }

  /** Makes the next health check ask Ollama for its models again (after a pull ends, say). */
  forgetModelLists(): void {
    this.modelsCache = null;
  }

  private async modelLists(signal: AbortSignal): Promise<[ListResponse, ListResponse]> {
    const now = performance.now();
    if (this.modelsCache && now - this.modelsCache.at < MODEL_LISTS_MS) return this.modelsCache.lists;
    const lists = await Promise.all([this.list(signal), this.ps(signal)]);
    this.modelsCache = { at: now, lists };
    return lists;
  }

  /** Aborts every request and destroys the agent's sockets. Idempotent; initialize() opens a fresh agent. */
  cleanup(): Promise<void> {
    this.closing ??= this.close();
    return this.closing;
  }

  private async close(): Promise<void> {
    const agent = this.agent;
    this.agent = null;
    for (const op of this.operations) op.abort(new DOMException('The Ollama client is closing', 'AbortError'));
    this.operations.clear();
    if (agent) await agent.destroy();
    this.logger?.debug({ provider: this.id }, 'Ollama client closed');
  }

  private begin(signal: AbortSignal | undefined, streaming: boolean): Operation {
    const agent = this.agent;
    if (!agent) throw new OllamaClosedError(this.url);
    const op = new Operation(signal, streaming, (done) => this.operations.delete(done));
    const fetch = (input: unknown, init?: Record<string, unknown>) =>
      undiciFetch(input as string, {
        ...(init as object),
        dispatcher: agent,
        signal: op.signalWith(init?.signal as AbortSignal | undefined),
      });
    op.client = new Ollama({ host: this.url, fetch: fetch as unknown as typeof globalThis.fetch });
    this.operations.add(op);
    return op;
  }

  private async call<T>(work: (client: Ollama) => Promise<T>, signal: AbortSignal | undefined, model?: string): Promise<T> {
    const op = this.begin(signal, false);
    try {
      const result = await work(op.client);
      op.finished = true;
      return result;
    } catch (err) {
      throw this.mapError(err, model);
    } finally {
      op.release();
    }
  }

  private mapError(err: unknown, model?: string): unknown {
    const ctx: MappingContext = { url: this.url, model, ...this.timeouts };
    const mapped = toOllamaError(err, ctx);
    if (mapped instanceof Error && mapped.name !== 'AbortError') {
      this.lastError = mapped.message;
      this.logger?.warn({ provider: this.id, err: mapped.message }, 'Ollama request failed');
    }
    return mapped;
  }
}

function problem(err: unknown): { lastError: string; hint?: string } {
  const e = err as Error & { hint?: string };
  return { lastError: e.message ?? String(err), hint: e.hint };
}

function normaliseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url.includes('://') ? url : `http://${url}`);
  } catch {
    throw new TypeError(`invalid Ollama URL "${url}": expected e.g. ${DEFAULT_OLLAMA_URL}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new TypeError(`invalid Ollama URL "${url}": only http and https are supported`);
  return parsed.origin;
}
