import fc from 'fast-check';
import { defineOwn, nested, POLLUTION_KEYS } from './fuzz-values';

/**
 * Raw WebSocket frames that are no well-formed request: text that is not JSON, JSON that is not a request
 * object, request envelopes with a bad id or channel or extra keys, binary frames. Each must get an error
 * result back, carrying the frame's id when it had a usable one and -1 otherwise.
 */

export interface RawFrame {
  kind: string;
  data: string | Buffer;
  binary: boolean;
}

/** The request every envelope mutation starts from; its input is refused too, so no frame can act. */
const ENVELOPE = { id: 9, channel: 'npc.get', input: { id: '../x' } };

function text(kind: string, data: string): RawFrame {
  return { kind, data, binary: false };
}

const notJson = fc.string({ unit: 'binary', maxLength: 200 }).filter((s) => {
  try {
    JSON.parse(s);
    return false;
  } catch {
    return true;
  }
});

const jsonNotRequest = fc.constantFrom(
  'null',
  '42',
  '-1',
  '"npc.list"',
  '[]',
  'true',
  '{}',
  '[{"id":1,"channel":"npc.list","input":{}}]',
  '1e400',
);

/** Sent on every run (fast-check rarely draws the last of a constantFrom): the corners of the envelope. */
export const EDGE_FRAMES: RawFrame[] = [
  text('edge:bom', '\uFEFF' + JSON.stringify(ENVELOPE)),
  text('edge:empty', ''),
  text('edge:infiniteId', '{"id":1e400,"channel":"npc.list","input":{}}'),
  text('edge:negativeInfiniteId', '{"id":-1e400,"channel":"npc.list","input":{}}'),
  text('edge:unsafeId', `{"id":${2 ** 53},"channel":"npc.list","input":{}}`),
  text('edge:deep', JSON.stringify(nested(1000, 'array'))),
  text('edge:protoEnvelope', '{"id":5,"channel":"npc.list","input":{},"__proto__":{"polluted":"yes"}}'),
  text('edge:protoInput', '{"id":6,"channel":"npc.get","input":{"__proto__":{"id":"mira"}}}'),
  { kind: 'edge:binaryRequest', data: Buffer.from(JSON.stringify({ id: 3, channel: 'npc.list', input: {} })), binary: true },
];

const envelope = fc.oneof(
  fc.constantFrom(-1, 1.5, '9', null, 2 ** 53, [], {}, true).map((id) => ['id', { ...ENVELOPE, id }] as const),
  fc.constantFrom('', 'x'.repeat(101), 5, null, [], {}, false).map((channel) => ['channel', { ...ENVELOPE, channel }] as const),
  fc.constantFrom('id', 'channel').map((key) => {
    const { [key]: _dropped, ...rest } = ENVELOPE;
    return [`missing-${key}`, rest] as const;
  }),
  fc
    .tuple(fc.oneof(fc.constantFrom(...POLLUTION_KEYS), fc.string({ minLength: 1, maxLength: 10 })), fc.jsonValue({ maxDepth: 2 }))
    .map(([key, value]) => {
      const frame: Record<string, unknown> = { ...ENVELOPE };
      defineOwn(frame, key, value);
      return ['extraKey', frame] as const;
    }),
  fc.integer({ min: 10, max: 1000 }).map((depth) => ['deep', nested(depth, 'object')] as const),
);

export const rawFrames: fc.Arbitrary<RawFrame> = fc.oneof(
  { weight: 3, arbitrary: notJson.map((s) => text('notJson', s)) },
  { weight: 2, arbitrary: jsonNotRequest.map((s) => text('jsonNotRequest', s)) },
  {
    weight: 2,
    arbitrary: fc
      .integer({ min: 1, max: JSON.stringify(ENVELOPE).length - 1 })
      .map((n) => text('truncated', JSON.stringify(ENVELOPE).slice(0, n))),
  },
  { weight: 6, arbitrary: envelope.map(([kind, value]) => text(`envelope:${kind}`, JSON.stringify(value))) },
  {
    weight: 2,
    arbitrary: fc.uint8Array({ maxLength: 256 }).map((bytes): RawFrame => ({ kind: 'binary', data: Buffer.from(bytes), binary: true })),
  },
  { weight: 1, arbitrary: fc.constantFrom(...EDGE_FRAMES) },
);

/** The id a response to `frame` must carry: the frame's own when it is a finite number, else -1. */
export function expectedId(frame: RawFrame): number {
  if (frame.binary) return -1;
  try {
    const id: unknown = (JSON.parse(frame.data as string) as { id?: unknown } | null)?.id;
    return typeof id === 'number' && Number.isFinite(id) ? id : -1;
  } catch {
    return -1;
  }
}
