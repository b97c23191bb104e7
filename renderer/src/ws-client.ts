import type { IpcError, IpcResult } from '../../shared/errors';
import type { EventName, StudioEvents } from '../../shared/events';
import { MAX_FRAME_BYTES, payloadTooLargeMessage, TOKEN_PARAM, WS_PATH, type ServerMessage } from '../../shared/wire';

export type ConnectionState =
  | { status: 'connecting' }
  | { status: 'open' }
  /** The socket was lost; the next attempt to reconnect is `inMs` away. */
  | { status: 'reconnecting'; reason: string; attempt: number; inMs: number }
  | { status: 'closed'; reason: string };

export interface ReconnectOptions {
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Attempts in a row that fail to open before the client gives up and stays closed. */
  maxAttempts?: number;
}

type Listener = (payload: never) => void;

/** The close code the host sends when it stops (WebSocket "going away"): nothing to reconnect to. */
const HOST_STOPPED = 1001;
const TOO_BIG = 1009;

/**
 * The web host's WebSocket. Requests wait for the socket to open; a lost socket fails what is pending (those calls
 * may or may not have run) and is reopened with backoff; a request over the frame limit is refused before sending.
 */
export class WsClient {
  private socket: WebSocket | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, (result: IpcResult<unknown>) => void>();
  private readonly queue: string[] = [];
  private readonly listeners = new Map<EventName, Set<Listener>>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private current: ConnectionState = { status: 'connecting' };
  private readonly socketUrl: string | null = null;
  private everOpened = false;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly reconnect: Required<ReconnectOptions>;

  constructor(pageUrl: string, reconnect: ReconnectOptions = {}) {
    this.reconnect = { initialDelayMs: 250, maxDelayMs: 5000, maxAttempts: 10, ...reconnect };
    const page = new URL(pageUrl);
    const token = page.searchParams.get(TOKEN_PARAM);
    if (!token) {
      this.setState({ status: 'closed', reason: 'The page address has no token. Open the URL printed by `npm run studio:web`.' });
      return;
    }
    const scheme = page.protocol === 'https:' ? 'wss:' : 'ws:';
    this.socketUrl = `${scheme}//${page.host}${WS_PATH}?${TOKEN_PARAM}=${encodeURIComponent(token)}`;
    this.connect();
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
    const bytes = bytesOverFrameLimit(frame);
    if (bytes !== null) {
      return Promise.resolve({
        ok: false,
        error: { code: 'PayloadTooLarge', message: payloadTooLargeMessage(bytes), bytes, limitBytes: MAX_FRAME_BYTES },
      });
    }
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

  /** Stops reconnecting and closes the socket (e.g. when the page goes away). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.setState({ status: 'closed', reason: 'The connection was closed by this page.' });
    this.socket?.close(1000);
    this.failPending({ code: 'Internal', message: 'The connection was closed by this page.' });
  }

  private connect(): void {
    this.timer = null;
    if (!this.socketUrl || this.current.status === 'closed') return;
    const socket = new WebSocket(this.socketUrl);
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.everOpened = true;
      this.attempt = 0;
      this.setState({ status: 'open' });
      for (const frame of this.queue.splice(0)) socket.send(frame);
    });
    socket.addEventListener('message', (e: MessageEvent<string>) => this.onMessage(e.data));
    socket.addEventListener('close', (e: CloseEvent) => {
      if (this.socket === socket) this.onClose(e.code);
    });
  }

  private onClose(code: number): void {
    this.socket = null;
    if (this.current.status === 'closed') return;
    const wasOpen = this.current.status === 'open';
    if (code === HOST_STOPPED) return this.giveUp('The studio host stopped.');
    if (!this.everOpened) {
      return this.giveUp(
        'The studio host refused the connection (an old page, or a token from another run?). Open the URL printed by `npm run studio:web`.',
      );
    }
    const reason =
      code === TOO_BIG
        ? 'The studio host closed the connection: a message was over its size limit (code 1009).'
        : `The connection to the studio host was lost (code ${code}).`;
    // Sent but unanswered: they may or may not have run, so they fail rather than being sent again.
    if (wasOpen) this.failPending({ code: 'Internal', message: `${reason} This call got no answer; check its result and try again.` });
    if (++this.attempt > this.reconnect.maxAttempts) {
      return this.giveUp(`${reason} Reconnecting failed ${this.reconnect.maxAttempts} times; restart the studio and reload the page.`);
    }
    const inMs = Math.min(this.reconnect.maxDelayMs, this.reconnect.initialDelayMs * 2 ** (this.attempt - 1));
    this.setState({ status: 'reconnecting', reason, attempt: this.attempt, inMs });
    this.timer = setTimeout(() => this.connect(), inMs);
  }

  private giveUp(reason: string): void {
    this.setState({ status: 'closed', reason });
    this.failPending({ code: 'Internal', message: reason });
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

/** The UTF-8 size of a frame over the limit, or null when it fits (a UTF-16 unit is at most 3 bytes: most skip encoding). */
function bytesOverFrameLimit(frame: string): number | null {
  if (frame.length * 3 <= MAX_FRAME_BYTES) return null;
  const bytes = new TextEncoder().encode(frame).length;
  return bytes > MAX_FRAME_BYTES ? bytes : null;
}
