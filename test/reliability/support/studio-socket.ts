import { WebSocket, type RawData } from 'ws';
import type { Channel, Input, Output } from '../../../shared/contract';
import type { IpcResult } from '../../../shared/errors';
import type { EventName, StudioEvents } from '../../../shared/events';
import type { ServerMessage } from '../../../shared/wire';

/** A web host's client as the page is one: id-correlated calls, and listeners for pushed events. */
export class StudioSocket {
  private nextId = 1;
  private readonly pending = new Map<number, (r: IpcResult<unknown>) => void>();
  private readonly listeners = new Map<EventName, Set<(payload: never) => void>>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: RawData) => {
      const message = JSON.parse(data.toString()) as ServerMessage;
      if ('event' in message) {
        for (const listener of this.listeners.get(message.event) ?? []) listener(message.payload as never);
        return;
      }
      const settle = this.pending.get(message.id);
      this.pending.delete(message.id);
      settle?.(message.ok ? { ok: true, value: message.value } : { ok: false, error: message.error });
    });
    ws.on('close', () => {
      for (const settle of this.pending.values()) settle({ ok: false, error: { code: 'Internal', message: 'the socket closed' } as never });
      this.pending.clear();
    });
    ws.on('error', () => undefined);
  }

  /** `origin` and `token` from the URL the host printed. */
  static open(port: number, origin: string, token: string): Promise<StudioSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${encodeURIComponent(token)}`, { origin });
      ws.once('open', () => resolve(new StudioSocket(ws)));
      ws.once('error', reject);
    });
  }

  /** Throws on an error result, naming the channel and the error code. */
  async call<C extends Channel>(channel: C, input: Input<C>): Promise<Output<C>> {
    const id = this.nextId++;
    const result = await new Promise<IpcResult<unknown>>((resolve) => {
      this.pending.set(id, resolve);
      this.ws.send(JSON.stringify({ id, channel, input }));
    });
    if (!result.ok) throw new Error(`${channel}: ${result.error.code}: ${result.error.message}`);
    return result.value as Output<C>;
  }

  on<E extends EventName>(event: E, listener: (payload: StudioEvents[E]) => void): () => void {
    const set = this.listeners.get(event) ?? new Set();
    this.listeners.set(event, set);
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  close(): void {
    this.ws.close();
  }
}
