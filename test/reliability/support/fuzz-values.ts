import fc from 'fast-check';
import { ID_PATTERN } from '../../../shared/ids';

/**
 * The raw material of malformed IPC payloads: values of the wrong type, ids that try to leave their folder,
 * strings past every limit, numbers out of range, deep nesting, prototype-pollution keys, long arrays and
 * values JSON cannot carry. Sizes are bounded so 10,000 cases run in well under a minute.
 */

/** Keys that would pollute or shadow Object.prototype if the host merged input into an object. */
export const POLLUTION_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  '__defineGetter__',
  'hasOwnProperty',
  'toString',
  'valueOf',
] as const;

export const BAD_IDS = [
  '../x',
  '..',
  '.',
  '../../etc/passwd',
  '/etc/passwd',
  'a/b',
  'a\\b',
  '..\\x',
  '',
  ' ',
  'a b',
  '-lead',
  '_lead',
  '.hidden',
  'nul\u0000byte',
  'new\nline',
  'é',
  '%2e%2e',
  '%2F',
  'a'.repeat(65),
  'CON',
  'x;rm -rf',
  '$(id)',
  '__proto__',
  'constructor',
];

export type Transport = 'router' | 'ws';

/** Sets an own, enumerable property even for "__proto__" (as JSON.parse does), so pollution keys really travel. */
export function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export function nested(depth: number, kind: 'array' | 'object'): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = kind === 'array' ? [value] : { a: value };
  return value;
}

function pollutingObject(): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  defineOwn(o, '__proto__', { polluted: 'yes' });
  defineOwn(o, 'constructor', { prototype: { polluted: 'yes' } });
  return o;
}

export const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 20 }),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 5 })), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.integer(), { maxKeys: 3 }),
  fc.constant(pollutingObject()),
);

export const badId: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...BAD_IDS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }).filter((s) => !ID_PATTERN.test(s)) },
);

/** Past the limits the contract sets (65 for ids, 100/200/500/2,000/20,000/50,000 for text). */
export const overLong: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(65, 101, 201, 501, 2_001, 20_001, 50_001, 200_001), fc.constantFrom('a', 'é', '\u0000', '😀', ' ', '<', '/'))
  .map(([n, ch]) => ch.repeat(n));

export const outOfRange: fc.Arbitrary<unknown> = fc.constantFrom(
  -1,
  -1000,
  1000,
  1001,
  2001,
  1e6,
  1.5,
  0.5,
  -0.5,
  NaN,
  Infinity,
  -Infinity,
  2 ** 53,
  -(2 ** 53),
  1e308,
  -1e308,
  5e-324,
  '5',
  '0x10',
);

export const deep: fc.Arbitrary<unknown> = fc
  .tuple(fc.integer({ min: 50, max: 1000 }), fc.constantFrom('array' as const, 'object' as const))
  .map(([depth, kind]) => nested(depth, kind));

/** Longer than every list the contract allows (200 items; 2,000 lorebook entries), still a bounded size. */
export const hugeArray: fc.Arbitrary<unknown[]> = fc
  .tuple(fc.constantFrom(201, 1_000, 2_001, 5_000), fc.constantFrom('string', 'number', 'object'))
  .map(([n, kind]) =>
    Array.from({ length: n }, (_, i) => (kind === 'string' ? `item-${i}` : kind === 'number' ? i : { keys: [`k${i}`], content: 'c' })),
  );

/** What Electron's structured clone carries but JSON does not. */
function nonJsonRouter(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.bigInt(),
    fc.constant(undefined),
    fc.date({ noInvalidDate: false }),
    fc.constant(
      new Map<unknown, unknown>([
        ['npcId', 'mira'],
        [{}, 1],
      ]),
    ),
    fc.constant(new Set(['a', 1])),
    fc.constant(/^.*$/gi),
    fc.constant(new Uint8Array([0, 1, 2, 255])),
    fc.constant(new ArrayBuffer(16)),
    fc.constant(new Error('not data')),
    fc.constant(sparse()),
    fc.constant(cyclic()),
  );
}

/** What a JSON client can still send that is no JSON value: it arrives as null, {}, a string or not at all. */
function nonJsonWs(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constant(undefined),
    fc.constant(NaN),
    fc.constant(Infinity),
    fc.date(),
    fc.constant(new Map([['a', 1]])),
    fc.bigInt(),
  );
}

export function nonJson(transport: Transport): fc.Arbitrary<unknown> {
  return transport === 'router' ? nonJsonRouter() : nonJsonWs();
}

function sparse(): unknown[] {
  const a: unknown[] = [];
  a[5] = 'x';
  return a;
}

function cyclic(): Record<string, unknown> {
  const o: Record<string, unknown> = { name: 'loop' };
  o.self = o;
  return o;
}

/** Any replacement value, weighted towards the interesting ones. */
export function anyBadValue(transport: Transport): fc.Arbitrary<unknown> {
  return fc.oneof(wrongType, badId, overLong, outOfRange, deep, hugeArray, nonJson(transport));
}
