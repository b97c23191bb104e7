import { WebSocket, type RawData } from 'ws';
import type { Channel, Input, Output } from '../../../shared/contract';
import type { EventName, StudioEvents } from '../../../shared/events';
import type { IpcResult } from '../../../shared/errors';
import type { ServerMessage, WireResponse } from '../../../shared/wire';

/** What one frame got back: a response, the socket closing (with its code), or nothing in time. */
export type FrameOutcome = { type: 'response'; message: WireResponse } | { type: 'closed'; code: number } | { type: 'timeout' };

/**
 * A web-host client for the fuzz: one frame at a time (so a response without a usable id still belongs to
 * the frame just sent), plus id-correlated calls and event waits for seeding. Pushed events are set aside.
 */
export class FuzzSocket {
  private nextId = 1;
  private readonly waiting: ((m: ServerMessage | { closed: number }) => void)[] = [];
  private readonly events: { event: EventName; payload: unknown }[] = [];
  private readonly eventWaiters = new Set<() => void>();
  closedWith: number | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: RawData) => this.onMessage(data));
    ws.on('close', (code: number) => {
      this.closedWith = code;
      for (const wake of this.waiting.splice(0)) wake({ closed: code });
      for (const wake of this.eventWaiters) wake();
    });
    ws.on('error', () => undefined);
  }

  /** Opens `url` with `origin`; rejects with the HTTP status when the upgrade is refused. */
  static open(url: string, origin: string | undefined): Promise<FuzzSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { ...(origin ? { origin } : {}), maxPayload: 64 * 1024 * 1024 });
      ws.once('open', () => resolve(new FuzzSocket(ws)));
      ws.once('unexpected-response', (_req, res) => {
        res.resume();
        ws.terminate();
        reject(Object.assign(new Error(`upgrade refused with ${res.statusCode}`), { status: res.statusCode }));
      });
      ws.once('error', reject);
    });
  }

  private onMessage(data: RawData): void {
    const message = JSON.parse(data.toString()) as ServerMessage;
    if ('event' in message) {
      this.events.push(message);
      if (this.events.length > 1000) this.events.splice(0, 500);
      for (const wake of this.eventWaiters) wake();
      return;
    }
    this.waiting.shift()?.(message);
  }

  /** Sends one raw frame and waits for the one response to it. */
  frame(data: string | Buffer, binary = false, ms = 15_000): Promise<FrameOutcome> {
    if (this.closedWith !== null) return Promise.resolve({ type: 'closed', code: this.closedWith });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(done), 1);
        resolve({ type: 'timeout' });
      }, ms);
      const done = (m: ServerMessage | { closed: number }) => {
        clearTimeout(timer);
        resolve('closed' in m ? { type: 'closed', code: m.closed } : { type: 'response', message: m as WireResponse });
      };
      this.waiting.push(done);
      this.ws.send(data, { binary });
    });
  }

  /** A request frame with a fresh id; returns that id and the outcome. */
  async request(channel: string, input: unknown): Promise<{ id: number; outcome: FrameOutcome }> {
    const id = this.nextId++;
    return { id, outcome: await this.frame(JSON.stringify({ id, channel, input })) };
  }

  /** A valid call: the value, or a thrown error naming the code. */
  async call<C extends Channel>(channel: C, input: Input<C>): Promise<Output<C>> {
    const { id, outcome } = await this.request(channel, input);
    if (outcome.type !== 'response') throw new Error(`${channel}: ${outcome.type}`);
    const result = outcome.message as IpcResult<Output<C>> & { id: number };
    if (result.id !== id) throw new Error(`${channel}: response for id ${result.id}, expected ${id}`);
    if (!result.ok) throw new Error(`${channel}: ${result.error.code}: ${result.error.message}`);
    return result.value;
  }

  /** The first pushed `event` (since the socket opened) that matches. */
  async waitForEvent<E extends EventName>(event: E, match: (p: StudioEvents[E]) => boolean, ms = 30_000): Promise<StudioEvents[E]> {
    const end = Date.now() + ms;
    for (;;) {
      const hit = this.events.find((e) => e.event === event && match(e.payload as StudioEvents[E]));
      if (hit) return hit.payload as StudioEvents[E];
      if (this.closedWith !== null) throw new Error(`socket closed (${this.closedWith}) before ${event}`);
      if (Date.now() > end) throw new Error(`no ${event} event within ${ms} ms`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.eventWaiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, 200);
        this.eventWaiters.add(wake);
      });
    }
  }

  close(): Promise<void> {
    if (this.closedWith !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}
