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

/**
 * The one byte limit of a WebSocket frame the host reads. Every text limit in the contract (LIMITS in ids.ts)
 * is derived from it with `charsWithinFrame`, so a field at its limit always fits in one frame.
 */
export const MAX_FRAME_BYTES = 32 * 1024 * 1024;
/** JSON escaping at its worst: a control character such as U+0001 is written as `\u0001`, 6 bytes for 1 char. */
export const MAX_JSON_BYTES_PER_CHAR = 6;
/** Kept free in a frame for the request envelope and the call's other, small fields. */
export const FRAME_ENVELOPE_BYTES = 64 * 1024;

/**
 * How many characters of one field fit in a frame, escaped at `bytesPerChar` (6 for free text, 1 for text
 * that JSON never escapes, e.g. base64).
 */
export function charsWithinFrame(bytesPerChar = MAX_JSON_BYTES_PER_CHAR): number {
  return Math.floor((MAX_FRAME_BYTES - FRAME_ENVELOPE_BYTES) / bytesPerChar);
}

/** The message of a PayloadTooLarge error, the same on both ends of the socket. */
export function payloadTooLargeMessage(bytes: number): string {
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  return (
    `This request is ${mb(bytes)} once encoded, over the ${mb(MAX_FRAME_BYTES)} a message to the studio host may be; ` +
    'send less text at once (for lore, split the source into several files)'
  );
}
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
