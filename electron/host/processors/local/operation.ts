import type { Ollama } from 'ollama';

/**
 * One request to Ollama: its own AbortController (linked to the caller's signal), its own Ollama instance,
 * and a release that runs exactly once when it ends, however it ends.
 */
export class Operation {
  private readonly controller = new AbortController();
  private readonly unlink: () => void;
  private released = false;
  /** Set when the final (done) part of a stream has arrived: nothing left to cancel. */
  finished = false;
  client!: Ollama;

  constructor(
    callerSignal: AbortSignal | undefined,
    readonly streaming: boolean,
    private readonly onRelease: (op: Operation) => void,
  ) {
    if (!callerSignal) {
      this.unlink = () => {};
    } else if (callerSignal.aborted) {
      this.controller.abort(callerSignal.reason);
      this.unlink = () => {};
    } else {
      const forward = () => this.controller.abort(callerSignal.reason);
      callerSignal.addEventListener('abort', forward, { once: true });
      this.unlink = () => callerSignal.removeEventListener('abort', forward);
    }
  }

  /** The signal fetch must use: ours, plus the one the ollama client passes for its own abort(). */
  signalWith(clientSignal: AbortSignal | undefined): AbortSignal {
    return clientSignal ? AbortSignal.any([this.controller.signal, clientSignal]) : this.controller.signal;
  }

  abort(reason?: unknown): void {
    this.controller.abort(reason);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    // An unfinished response still holds its socket: aborting destroys it instead of leaving it half-read.
    if (!this.finished) this.controller.abort(new DOMException('The Ollama request was abandoned', 'AbortError'));
    this.unlink();
    this.onRelease(this);
  }

  /**
   * Wraps a stream so the operation is released when iteration ends, throws, or is abandoned early — even by a
   * consumer that calls return() before the first next(), which an async generator alone would not notice.
   * A plain iterator object rather than another async generator: fewer hops per token.
   */
  guard<T extends { done?: boolean }>(inner: AsyncIterable<T>, mapError: (err: unknown) => unknown): AsyncIterable<T> {
    const source = inner[Symbol.asyncIterator]();
    const failed = (err: unknown): never => {
      this.release();
      throw mapError(err);
    };
    const iterator: AsyncIterator<T> = {
      // .then rather than async/await: this runs once per token.
      next: () =>
        source.next().then((step) => {
          if (step.done) this.release();
          else if (step.value.done) this.finished = true;
          return step;
        }, failed),
      return: async (value?: unknown) => {
        this.release();
        return (await source.return?.(value)) ?? { done: true, value: value as T };
      },
    };
    return { [Symbol.asyncIterator]: () => iterator };
  }
}
