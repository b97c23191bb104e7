import type { Channel, Input, Output } from '../../shared/contract';
import { errorMessage, StudioError, type IpcResult } from '../../shared/errors';
import type { EventName, StudioEvents } from '../../shared/events';
import type { StudioPreloadApi } from '../../shared/studio-api';
import { WsClient, type ConnectionState } from './ws-client';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser (the web host). */
    studio?: StudioPreloadApi;
  }
}

export type { ConnectionState };

/** The renderer's one door to the host, the same over Electron IPC and the web host's WebSocket. */
export interface Bridge {
  readonly kind: 'electron' | 'web';
  /** Resolves with the output or throws a StudioError carrying the typed IpcError. */
  invoke<C extends Channel>(channel: C, input: Input<C>): Promise<Output<C>>;
  on<E extends EventName>(event: E, callback: (payload: StudioEvents[E]) => void): () => void;
  connection(): ConnectionState;
  onConnection(listener: (state: ConnectionState) => void): () => void;
}

function unwrap<T>(result: IpcResult<unknown>): T {
  if (result.ok) return result.value as T;
  throw new StudioError(result.error);
}

function electronBridge(api: StudioPreloadApi): Bridge {
  return {
    kind: 'electron',
    invoke: async (channel, input) => unwrap(await api.invoke(channel, input)),
    on: (event, callback) => api.on(event, callback),
    connection: () => ({ status: 'open' }),
    onConnection: () => () => undefined,
  };
}

function webBridge(client: WsClient): Bridge {
  return {
    kind: 'web',
    invoke: async (channel, input) => unwrap(await client.request(channel, input)),
    on: (event, callback) => client.on(event, callback),
    connection: () => client.state(),
    onConnection: (listener) => client.onState(listener),
  };
}

let instance: Bridge | null = null;

export function bridge(): Bridge {
  instance ??= window.studio ? electronBridge(window.studio) : webBridge(new WsClient(window.location.href));
  return instance;
}

/** A message for people from anything a call threw. */
export function describeError(err: unknown): { message: string; hint?: string; code?: string } {
  if (err instanceof StudioError) {
    const issues = err.error.code === 'ValidationError' ? err.error.issues : [];
    return {
      code: err.code,
      message: issues.length ? issues.map((i) => `${i.path}: ${i.message}`).join('; ') : err.message,
      hint: err.hint,
    };
  }
  return { message: errorMessage(err) };
}
