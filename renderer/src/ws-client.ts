import type { IpcError, IpcResult } from '../../shared/errors';
import type { EventName, StudioEvents } from '../../shared/events';
import { TOKEN_PARAM, WS_PATH, type ServerMessage } from '../../shared/wire';

export type ConnectionState = { status: 'connecting' } | { status: 'open' } | { status: 'closed'; reason: string };

type Listener = (payload: never) => void;

/** The web host's WebSocket: requests wait for the socket to open; a lost socket fails what is pending. */
export class WsClient {
  private socket: WebSocket | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, (result: IpcResult<unknown>) => void>();
  private readonly queue: string[] = [];
  private readonly listeners = new Map<EventName, Set<Listener>>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private current: ConnectionState = { status: 'connecting' };

  constructor(pageUrl: string) {
    const page = new URL(pageUrl);
    const token = page.searchParams.get(TOKEN_PARAM);
    if (!token) {
      this.setState({ status: 'closed', reason: 'The page address has no token. Open the URL printed by `npm run studio:web`.' });
      return;
    }
    const scheme = page.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(`${scheme}//${page.host}${WS_PATH}?${TOKEN_PARAM}=${encodeURIComponent(token)}`);
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.setState({ status: 'open' });
      for (const frame of this.queue.splice(0)) socket.send(frame);
    });
    socket.addEventListener('message', (e: MessageEvent<string>) => this.onMessage(e.data));
    socket.addEventListener('close', (e: CloseEvent) => {
      const reason =
        e.code === 1001
          ? 'The studio host stopped.'
          : e.code === 1006 && this.current.status === 'connecting'
            ? 'The studio host refused the connection (an old page, or a token from another run?). Open the URL printed by `npm run studio:web`.'
            : `The connection to the studio host was lost (code ${e.code}).`;
      this.setState({ status: 'closed', reason });
      this.failPending({ code: 'Internal', message: reason });
    });
  }

  state(): ConnectionState {
    return this.current;
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  request(channel: string, input: unknown): Promise<IpcResult<unknown>> {
    if (this.current.status === 'closed') return Promise.resolve({ ok: false, error: { code: 'Internal', message: this.current.reason } });
    const id = this.nextId++;
    const frame = JSON.stringify({ id, channel, input });
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      if (this.current.status === 'open') this.socket?.send(frame);
      else this.queue.push(frame);
    });
  }

  on<E extends EventName>(event: E, callback: (payload: StudioEvents[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const entry = callback as Listener;
    set.add(entry);
    return () => set.delete(entry);
  }

  private onMessage(text: string): void {
    let message: ServerMessage;
    try {
      message = JSON.parse(text) as ServerMessage;
    } catch {
      return;
    }
    if ('event' in message) {
      for (const listener of [...(this.listeners.get(message.event) ?? [])]) {
        try {
          (listener as (p: unknown) => void)(message.payload);
        } catch (err) {
          console.error(`listener for ${message.event} failed`, err);
        }
      }
      return;
    }
    const resolve = this.pending.get(message.id);
    if (!resolve) return;
    this.pending.delete(message.id);
    resolve(message.ok ? { ok: true, value: message.value } : { ok: false, error: message.error });
  }

  private failPending(error: IpcError): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    this.queue.length = 0;
    for (const resolve of waiting) resolve({ ok: false, error });
  }

  private setState(state: ConnectionState): void {
    this.current = state;
    for (const listener of [...this.stateListeners]) listener(state);
  }
}
