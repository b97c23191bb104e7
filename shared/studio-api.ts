import type { Channel, Input } from './contract';
import type { IpcResult } from './errors';
import type { EventName, StudioEvents } from './events';

/**
 * What the Electron preload exposes as `window.studio` (contextBridge). `invoke` never rejects for
 * host errors: it resolves to an IpcResult, because Electron's ipc loses thrown errors' fields.
 */
export interface StudioPreloadApi {
  invoke<C extends Channel>(channel: C, input: Input<C>): Promise<IpcResult<unknown>>;
  /** The callback gets only the payload (never Electron's event object); returns an unsubscribe. */
  on<E extends EventName>(event: E, callback: (payload: StudioEvents[E]) => void): () => void;
}
