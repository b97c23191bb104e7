import type { ChatResponse } from 'ollama';
import type { Usage } from '../../../../shared/chat';
import type { ChatEvent } from '../processor';

const ms = (ns: number | undefined) => (typeof ns === 'number' ? ns / 1e6 : undefined);

function usageOf(part: ChatResponse, startedAt: number): Usage {
  return {
    promptTokens: part.prompt_eval_count ?? 0,
    replyTokens: part.eval_count ?? 0,
    latencyMs: performance.now() - startedAt,
    totalDurationMs: ms(part.total_duration),
    loadDurationMs: ms(part.load_duration),
    promptEvalDurationMs: ms(part.prompt_eval_duration),
    evalDurationMs: ms(part.eval_duration),
  };
}

export interface ChatEventStreamHooks {
  /** Sends the request; called on the first next(). */
  open(): Promise<AsyncIterable<ChatResponse>>;
  /** Turns an error into what the consumer sees (an AbortError when the chat was stopped). */
  failure(err: unknown): unknown;
  /** Runs exactly once, when the stream ends however it ends. */
  end(completed: boolean): void;
}

/**
 * Ollama chat parts → ChatEvents: tokens, then one done with usage. A plain iterator rather than an async generator:
 * it sits on the per-token path, where each generator hop is measurable at full speed (bench part `stream`).
 */
export class ChatEventStream implements AsyncIterableIterator<ChatEvent> {
  private source: AsyncIterator<ChatResponse> | null = null;
  private pendingDone: ChatEvent | null = null;
  private ended = false;
  private readonly startedAt = performance.now();

  constructor(private readonly hooks: ChatEventStreamHooks) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<ChatEvent>> {
    if (this.pendingDone) return Promise.resolve(this.finish(this.pendingDone));
    if (this.ended) return Promise.resolve({ done: true, value: undefined });
    // Once open, a token costs one .then: an async function here added a hop per token.
    return this.source ? this.source.next().then(this.onStep, this.onFailure) : this.openThenNext();
  }

  private async openThenNext(): Promise<IteratorResult<ChatEvent>> {
    try {
      this.source = (await this.hooks.open())[Symbol.asyncIterator]();
    } catch (err) {
      return this.onFailure(err);
    }
    return this.next();
  }

  private readonly onStep = (step: IteratorResult<ChatResponse>): IteratorResult<ChatEvent> | Promise<IteratorResult<ChatEvent>> => {
    try {
      // The ollama client itself throws when a stream ends without its done line; this is the belt to its braces.
      if (step.done) throw new Error('the reply from Ollama ended without its final message');
      const part = step.value;
      const text = part.message?.content;
      if (!part.done) {
        if (text) return { done: false, value: { type: 'token', text } };
        return this.source!.next().then(this.onStep, this.onFailure);
      }
      const done: ChatEvent = { type: 'done', usage: usageOf(part, this.startedAt), model: part.model, stopReason: part.done_reason };
      if (!text) return this.finish(done);
      this.pendingDone = done;
      return { done: false, value: { type: 'token', text } };
    } catch (err) {
      return this.onFailure(err);
    }
  };

  private readonly onFailure = (err: unknown): never => {
    this.close(false);
    throw this.hooks.failure(err);
  };

  async return(): Promise<IteratorResult<ChatEvent>> {
    this.close(false);
    await this.source?.return?.();
    return { done: true, value: undefined };
  }

  private finish(done: ChatEvent): IteratorResult<ChatEvent> {
    this.pendingDone = null;
    this.close(true);
    // Lets the client finish and release its request; the reply is complete, so nothing here can matter any more.
    this.source?.return?.().catch(() => undefined);
    return { done: false, value: done };
  }

  private close(completed: boolean): void {
    if (this.ended) return;
    this.ended = true;
    this.hooks.end(completed);
  }
}
