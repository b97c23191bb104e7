import type { ConversationRef } from './transcript-schema';

/** An impersonation of this conversation is already being drafted; crosses IPC as Busy. */
export class ImpersonateBusyError extends Error {
  readonly code = 'Busy';

  constructor(ref: ConversationRef) {
    super(`a line is already being drafted for you in conversation ${ref.conversationId} with ${ref.npcId}; stop it or wait for it`);
    this.name = 'ImpersonateBusyError';
  }
}

/** One impersonation being drafted: its signal, and whether the designer stopped it. */
export interface RunningImpersonation {
  signal: AbortSignal;
  stoppedByUser(): boolean;
  /** Forgets it (always call once it has settled). */
  end(): void;
}

/**
 * The impersonations being drafted, one per conversation, each with its own AbortController so the designer can stop
 * it (chat.stopImpersonate). A stop is told apart from other aborts (a shutdown, a caller's signal) so only it
 * answers `stopped: true`; the others keep their own error (ShuttingDown at shutdown).
 */
export class Impersonations {
  private readonly running = new Map<string, { controller: AbortController; stopped: boolean }>();

  /** Registers one for `ref`; a caller's `signal` aborting aborts it too. Throws ImpersonateBusyError if one runs. */
  begin(ref: ConversationRef, signal?: AbortSignal): RunningImpersonation {
    const key = keyOf(ref);
    if (this.running.has(key)) throw new ImpersonateBusyError(ref);
    const entry = { controller: new AbortController(), stopped: false };
    const onAbort = () => entry.controller.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    this.running.set(key, entry);
    return {
      signal: entry.controller.signal,
      stoppedByUser: () => entry.stopped,
      end: () => {
        signal?.removeEventListener('abort', onAbort);
        if (this.running.get(key) === entry) this.running.delete(key);
      },
    };
  }

  /** Stops the conversation's impersonation; false when none is running. */
  stop(ref: ConversationRef): boolean {
    const entry = this.running.get(keyOf(ref));
    if (!entry || entry.controller.signal.aborted) return false;
    entry.stopped = true;
    entry.controller.abort(new DOMException('stopped by the user', 'AbortError'));
    return true;
  }
}

function keyOf(ref: ConversationRef): string {
  return `${ref.npcId}/${ref.conversationId}`;
}
