import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

/** Frames of `application/vnd.amazon.eventstream`, encoded with the SDK's own codec (CRCs, headers). */

const codec = new EventStreamCodec(toUtf8, fromUtf8);

function str(value: string) {
  return { type: 'string' as const, value };
}

/** A ConverseStream event: `eventType` is the union member name, e.g. "contentBlockDelta". */
export function eventFrame(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ':event-type': str(eventType),
      ':content-type': str('application/json'),
      ':message-type': str('event'),
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

/** A modelled exception inside the stream, e.g. "modelStreamErrorException" (the union member name). */
export function exceptionFrame(exceptionType: string, message: string, extra: Record<string, unknown> = {}): Uint8Array {
  return codec.encode({
    headers: {
      ':exception-type': str(exceptionType),
      ':content-type': str('application/json'),
      ':message-type': str('exception'),
    },
    body: fromUtf8(JSON.stringify({ message, ...extra })),
  });
}
