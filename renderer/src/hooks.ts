import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { EventName, StudioEvents } from '../../shared/events';
import { bridge, describeError, type ConnectionState } from './bridge';

/** Subscribes for the component's lifetime; the latest callback is always the one called. */
export function useStudioEvent<E extends EventName>(event: E, callback: (payload: StudioEvents[E]) => void): void {
  const latest = useRef(callback);
  latest.current = callback;
  useEffect(() => bridge().on(event, (payload) => latest.current(payload)), [event]);
}

export function useConnection(): ConnectionState {
  return useSyncExternalStore(
    (notify) => bridge().onConnection(notify),
    () => bridge().connection(),
  );
}

export interface ActionError {
  message: string;
  hint?: string;
  code?: string;
}

/** Runs host calls with a busy flag and a readable error, never an unhandled rejection. */
export function useAction(): {
  busy: boolean;
  error: ActionError | null;
  clearError: () => void;
  run: <T>(work: () => Promise<T>) => Promise<T | undefined>;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ActionError | null>(null);
  const run = useCallback(async <T>(work: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await work();
    } catch (err) {
      setError(describeError(err));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, clearError: useCallback(() => setError(null), []), run };
}
