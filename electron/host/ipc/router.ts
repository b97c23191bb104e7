import { contract, isChannel, type Channel, type Output, type ParsedInput } from '../../../shared/contract';
import type { IpcError, IpcResult } from '../../../shared/errors';
import type { EventName, StudioEvents } from '../../../shared/events';
import type { HealthSnapshot } from '../../../shared/health';
import { isAbortError } from '../engine/errors';
import { issueRefs, toIpcError, validationError } from './to-ipc-error';
import { EventBus } from './event-bus';
import { HealthPusher } from './health-pusher';

/** Who is calling, as the transport saw it. The transport decides `trusted`; the router enforces it. */
export interface SenderInfo {
  transport: 'electron' | 'ws' | 'test';
  /** The caller's origin, e.g. "http://127.0.0.1:5173" or "file://". */
  origin: string;
  /** False for calls from a sub-frame: only the top-level frame may call. */
  topFrame: boolean;
  trusted: boolean;
  /** Connection or webContents id, for logs. */
  id?: string | number;
}

export interface CallContext {
  sender: SenderInfo;
}

/** One handler per channel: the compiler lists every channel that is missing. */
export type Handlers = {
  [C in Channel]: (input: ParsedInput<C>, ctx: CallContext) => Promise<Output<C>>;
};

/** The slice of a pino logger the router uses. */
export interface RouterLogger {
  trace(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface RouterOptions {
  /** False once shutdown began: every call then gets ShuttingDown. */
  isAccepting: () => boolean;
  collectHealth: () => Promise<HealthSnapshot>;
  healthIntervalMs?: number;
  logger?: RouterLogger;
}

export interface Router {
  /** Never rejects: every outcome is an IpcResult. */
  call(channel: string, input: unknown, ctx: CallContext): Promise<IpcResult<unknown>>;
  publish<E extends EventName>(event: E, payload: StudioEvents[E]): void;
  subscribe<E extends EventName>(event: E, listener: (payload: StudioEvents[E]) => void): () => void;
  subscriberCount(event: EventName): number;
  /** Stops the health beat and drops every subscriber. Idempotent. */
  close(): void;
}

function fail(error: IpcError): IpcResult<never> {
  return { ok: false, error };
}

export function createRouter(handlers: Handlers, options: RouterOptions): Router {
  const log = options.logger;
  let closed = false;
  const pusher = new HealthPusher({
    collect: options.collectHealth,
    push: (snapshot) => bus.publish('health', snapshot),
    intervalMs: options.healthIntervalMs ?? 1000,
    onError: (err) => log?.warn({ err }, 'Health collection failed'),
  });
  const bus = new EventBus({
    onListenerError: (event, err) => log?.warn({ err, event }, 'Event listener threw'),
    onCountChange: (event, count) => {
      if (event !== 'health') return;
      if (count > 0 && !closed) pusher.start();
      else pusher.stop();
    },
  });

  async function call(channel: string, input: unknown, ctx: CallContext): Promise<IpcResult<unknown>> {
    const { sender } = ctx;
    if (!sender.trusted || !sender.topFrame) {
      log?.warn(
        { channel, origin: sender.origin, topFrame: sender.topFrame, transport: sender.transport },
        'IPC call refused: untrusted sender',
      );
      return fail({ code: 'Forbidden', message: `Calls from ${sender.origin || 'an unknown origin'} are not allowed` });
    }
    if (!isChannel(channel)) {
      return fail(
        validationError('Unknown channel', [{ path: 'channel', message: `no channel named "${String(channel).slice(0, 100)}"` }]),
      );
    }
    if (closed || !options.isAccepting()) {
      return fail({ code: 'ShuttingDown', message: 'The studio is shutting down' });
    }
    const parsed = contract[channel].input.safeParse(input);
    if (!parsed.success) return fail(validationError(`Invalid input for ${channel}`, issueRefs(parsed.error.issues)));
    const started = performance.now();
    try {
      const handler = handlers[channel] as (input: unknown, ctx: CallContext) => Promise<unknown>;
      const value = await handler(parsed.data, ctx);
      log?.trace({ channel, ms: Math.round(performance.now() - started) }, 'IPC call');
      return { ok: true, value };
    } catch (err) {
      const error = cutByShutdown(err) ?? toIpcError(err);
      if (error.code === 'Internal') log?.error({ err, channel }, `IPC ${channel} failed: ${error.message}`);
      else log?.trace({ channel, code: error.code }, `IPC ${channel}: ${error.message}`);
      return fail(error);
    }
  }

  /** Work aborted because shutdown began (a processor closing under an ingest, say) is ShuttingDown, not a fault. */
  function cutByShutdown(err: unknown): IpcError | undefined {
    if (!(closed || !options.isAccepting()) || !isAbortError(err)) return undefined;
    const why = err instanceof Error && err.message ? ` (${err.message})` : '';
    return { code: 'ShuttingDown', message: `The studio is shutting down; this call was stopped before it finished${why}` };
  }

  return {
    call,
    publish: (event, payload) => {
      if (!closed) bus.publish(event, payload);
    },
    subscribe: (event, listener) => bus.subscribe(event, listener),
    subscriberCount: (event) => bus.count(event),
    close: () => {
      if (closed) return;
      closed = true;
      pusher.close();
      bus.clear();
    },
  };
}
