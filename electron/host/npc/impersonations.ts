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
 * it (chat.stopImpersonate, or deleting the NPC). A stop is told apart from other aborts (a shutdown, a caller's signal) so only it
 * answers `stopped: true`; the others keep their own error (ShuttingDown at shutdown).
 */
export class Impersonations {
  private readonly running = new Map<string, { controller: AbortController; stopped: boolean; ended: Promise<void> }>();

  /** Registers one for `ref`; a caller's `signal` aborting aborts it too. Throws ImpersonateBusyError if one runs. */
  begin(ref: ConversationRef, signal?: AbortSignal): RunningImpersonation {
    const key = keyOf(ref);
    if (this.running.has(key)) throw new ImpersonateBusyError(ref);
    let ended!: () => void;
    const entry = { controller: new AbortController(), stopped: false, ended: new Promise<void>((resolve) => (ended = resolve)) };
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
        ended();
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

  /** Stops every impersonation of the NPC (being deleted), each answering `stopped: true`; resolves once all have ended. */
  stopNpc(npcId: string): Promise<void> {
    const entries = [...this.running.entries()].filter(([key]) => key.startsWith(`${npcId}/`)).map(([, entry]) => entry);
    for (const entry of entries) {
      if (entry.controller.signal.aborted) continue;
      entry.stopped = true;
      entry.controller.abort(new DOMException('the NPC was deleted', 'AbortError'));
    }
    return Promise.all(entries.map((e) => e.ended)).then(() => undefined);
  }
}

function keyOf(ref: ConversationRef): string {
  return `${ref.npcId}/${ref.conversationId}`;
}
