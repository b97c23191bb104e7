import { z } from 'zod';
import type { IpcError } from './errors';
import type { EventName, StudioEvents } from './events';

/**
 * The WebSocket protocol of the web host. The socket is opened at `/ws?token=<per-run token>`;
 * the server refuses the upgrade without the token or from another Origin.
 *   client → server  { id, channel, input }
 *   server → client  { id, ok: true, value } | { id, ok: false, error }   (one per request)
 *   server → client  { event, payload }                                    (pushed)
 */

export const WS_PATH = '/ws';
export const TOKEN_PARAM = 'token';

export const wireRequestSchema = z.strictObject({
  id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  channel: z.string().min(1).max(100),
  input: z.unknown(),
});

export type WireRequest = z.output<typeof wireRequestSchema>;

export type WireResponse = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: IpcError };

export type WireEvent<E extends EventName = EventName> = { [K in E]: { event: K; payload: StudioEvents[K] } }[E];

export type ServerMessage = WireResponse | WireEvent;

export function isWireEvent(message: ServerMessage): message is WireEvent {
  return 'event' in message;
}
