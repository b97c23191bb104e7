import fc from 'fast-check';
import { CHANNELS, contract, isChannel, type Channel, type Input } from '../../../shared/contract';
import { DEFAULT_SETTINGS } from '../../../electron/host/settings/settings-store';
import {
  anyBadValue,
  badId,
  deep,
  defineOwn,
  hugeArray,
  nonJson,
  outOfRange,
  overLong,
  POLLUTION_KEYS,
  wrongType,
  type Transport,
} from './fuzz-values';

/**
 * Malformed payloads for every channel, derived from a valid input per channel: each case applies one to
 * three mutations (wrong type, missing key, extra or polluting key, bad id, over-long string, number out of
 * range, deep nesting, long array, non-JSON value) or replaces the whole input or the channel name. Every
 * case is normalised the way its transport would carry it and kept only if the contract refuses it, so no
 * case can change state by being valid.
 */

export interface SeedIds {
  npcId: string;
  turnId: string;
  sourceId: string;
}

export interface FuzzCase {
  channel: string;
  input: unknown;
  /** The mutations applied, e.g. ["badId@npcId", "extraKey@card"]. */
  kinds: string[];
}

type Path = (string | number)[];
type Mutation = { kind: string; apply: (root: unknown) => unknown };

/** A valid input for each channel, naming the seeded NPC, turn and source so a slip would touch real data. */
export function validInputs(ids: SeedIds): { [C in Channel]: Input<C> } {
  const { npcId, turnId, sourceId } = ids;
  const turn = { npcId, turnId };
  return {
    'npc.list': {},
    'npc.get': { id: npcId },
    'npc.save': {
      id: npcId,
      card: {
        name: 'Mira',
        description: 'A smuggler.',
        tags: ['harbor'],
        alternate_greetings: ['Ahoy.'],
        extensions: { other_tool: { x: 1 } },
        character_book: { entries: [{ keys: ['rum'], content: 'Rum is in the cellar.', insertion_order: 1 }] },
      },
      studio: {
        processor: 'local',
        model: 'llama3.2',
        sampling: { temperature: 0.7, topP: 0.9, numCtx: 4096, maxTokens: 256, keepAlive: '5m' },
      },
    },
    'npc.delete': { id: npcId },
    'npc.importCard': { format: 'json', text: '{"name":"Imported"}' },
    'npc.exportCard': { id: npcId, format: 'json' },
    'npc.getArt': { id: npcId },
    // A 1×1 PNG.
    'npc.setArt': { id: npcId, base64: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGOIzukHAAJ8AVejTUViAAAAAElFTkSuQmCC' },
    // The seeded NPC's id stands in for a lorebook id: a slip past validation finds no lorebook, never touches one.
    'lorebook.list': {},
    'lorebook.get': { id: npcId },
    'lorebook.save': { name: 'Harbor', book: { entries: [{ keys: ['rum'], content: 'Rum is in the cellar.' }] } },
    'lorebook.delete': { id: npcId },
    'lorebook.import': { fileName: 'harbor.json', text: '{"entries":{"0":{"uid":0,"key":["rum"],"content":"Rum."}}}' },
    'lorebook.export': { id: npcId, format: 'st' },
    'lorebook.attach': { id: npcId, npcIds: [npcId] },
    'lorebook.try': { npcId, message: 'Where is the rum?' },
    // A model the test server does not have: a slip past validation pulls or deletes nothing.
    'models.list': {},
    'providers.history': {},
    'app.diagnostics': {},
    'models.show': { model: 'fuzz-absent:latest' },
    'models.pull': { model: 'fuzz-absent:latest' },
    'models.cancelPull': { pullId: 'pull-0' },
    'models.delete': { model: 'fuzz-absent:latest' },
    'chat.send': { npcId, text: 'Where is the rum?' },
    'chat.stop': turn,
    'chat.regenerate': turn,
    'chat.chooseSwipe': { ...turn, index: 0 },
    'chat.edit': { ...turn, text: 'Edited.' },
    'chat.delete': turn,
    'chat.history': { npcId },
    'chat.export': { npcId, format: 'markdown' },
    'chat.page': { npcId, conversationId: 'main', cursor: 'm9', limit: 20 },
    'chat.prompt': { ...turn, conversationId: 'main', alternative: 0 },
    'chat.continue': turn,
    'chat.impersonate': { npcId, conversationId: 'main' },
    'chat.stopImpersonate': { npcId, conversationId: 'main' },
    'chat.editAndResend': { ...turn, text: 'Where is the rum, really?' },
    'conversation.list': { npcId },
    'conversation.create': { npcId, title: 'At the docks', personaId: null },
    'conversation.rename': { npcId, conversationId: 'main', title: 'First meeting' },
    'conversation.duplicate': { npcId, conversationId: 'main' },
    'conversation.delete': { npcId, conversationId: 'c-fuzz' },
    'conversation.branch': { npcId, conversationId: 'main', messageId: turnId, title: 'What if' },
    'conversation.configure': {
      npcId,
      conversationId: 'main',
      personaId: null,
      authorsNote: { text: 'Keep it short.', depth: 2, role: 'system' },
    },
    'conversation.importSillyTavern': {
      npcId,
      fileName: 'Mira - 2024-1-1.jsonl',
      text:
        '{"user_name":"You","character_name":"Mira","create_date":"2024-1-1 @10h 00m 00s 000ms","chat_metadata":{}}\n' +
        '{"name":"You","is_user":true,"is_system":false,"send_date":"2024-1-1 @10h 00m 05s 000ms","mes":"Hello","extra":{}}\n',
    },
    'persona.list': {},
    'persona.save': { name: 'Captain', description: 'A retired captain with a limp.' },
    'persona.delete': { id: 'p-fuzz' },
    'persona.setDefault': { id: null },
    'knowledge.ingest': { npcId, source: 'notes.md', text: 'The cellar is under the chapel.' },
    'knowledge.sources': { npcId },
    'knowledge.delete': { npcId, sourceId },
    'knowledge.search': { npcId, query: 'cellar', limit: 5 },
    'knowledge.reindex': { npcId },
    'providers.list': {},
    'providers.health': {},
    'usage.summary': {},
    'logs.tail': { limit: 100, level: 'warn' },
    'settings.get': {},
    'settings.set': structuredClone(DEFAULT_SETTINGS),
    'app.quit': {},
    'app.lastShutdownReport': {},
    'app.info': {},
    'app.openExternal': { url: 'https://example.com/forge?tab=prices' },
    'suite.list': {},
    'suite.get': { npcId },
    'suite.save': {
      version: 1,
      npcId,
      cases: [{ name: 'greets', turns: [{ player: 'Hello', expect: [{ kind: 'mentions', phrases: ['hello'] }] }] }],
    },
    'suite.addFromChat': turn,
    'suite.run': { npcId, backends: [{ processor: 'local', model: 'fuzz-absent' }] },
    'suite.stop': { runId: 'r-0' },
    'suite.runs': { npcId },
    'suite.runGet': { npcId, runId: 'r-0' },
    'suite.diff': { npcId, runId: 'r-0' },
  };
}

/** A plain keyed object a mutation can add to or delete from (an earlier mutation may have left a typed array there). */
function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

function pathsOf(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...prefix, i], out));
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
  return out;
}

function getAt(root: unknown, path: Path): unknown {
  let node = root;
  for (const key of path) node = isObject(node) || Array.isArray(node) ? (node as Record<string | number, unknown>)[key] : undefined;
  return node;
}

/** Replaces the value at `path` (the root for []); a path the earlier mutations broke is left alone. */
function setAt(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const parent = getAt(root, path.slice(0, -1));
  if (isObject(parent) || Array.isArray(parent)) defineOwn(parent as Record<string, unknown>, String(path.at(-1)), value);
  return root;
}

const show = (path: Path) => path.join('.') || '(input)';
const ID_KEYS = new Set(['id', 'npcId', 'turnId', 'sourceId']);

function pick<T>(items: T[]): fc.Arbitrary<T> | null {
  return items.length ? fc.constantFrom(...items) : null;
}

/** The mutations that fit a base input: only ones with a place to act on are offered. */
function mutations(base: unknown, transport: Transport): fc.Arbitrary<Mutation> {
  const paths = pathsOf(base);
  const at = (p: Path) => getAt(base, p);
  const objects = paths.filter((p) => isObject(at(p)));
  const keyed = paths.filter((p) => p.length > 0 && isObject(getAt(base, p.slice(0, -1))));
  const leaves = paths.filter((p) => !isObject(at(p)) && !Array.isArray(at(p)));
  const replace = (kind: string, where: Path[], values: fc.Arbitrary<unknown>) => {
    const target = pick(where);
    return target && fc.tuple(target, values).map(([p, v]): Mutation => ({ kind: `${kind}@${show(p)}`, apply: (r) => setAt(r, p, v) }));
  };
  const options = [
    replace('wrongType', paths, wrongType),
    replace('nonJson', paths, nonJson(transport)),
    replace(
      'badId',
      paths.filter((p) => ID_KEYS.has(String(p.at(-1)))),
      badId,
    ),
    replace(
      'overLong',
      leaves.filter((p) => typeof at(p) === 'string'),
      overLong,
    ),
    replace(
      'outOfRange',
      leaves.filter((p) => typeof at(p) === 'number'),
      outOfRange,
    ),
    replace('deep', paths, deep),
    replace('hugeArray', paths, hugeArray),
    pick(keyed)?.map((p): Mutation => ({
      kind: `missingKey@${show(p)}`,
      apply: (r) => {
        const parent = getAt(r, p.slice(0, -1));
        if (isObject(parent)) delete parent[String(p.at(-1))];
        return r;
      },
    })),
    pick(objects) &&
      fc
        .tuple(
          pick(objects)!,
          fc.oneof(fc.constantFrom(...POLLUTION_KEYS), fc.string({ minLength: 1, maxLength: 20 })),
          anyBadValue(transport),
        )
        .map(([p, key, value]): Mutation => ({
          kind: `extraKey(${key.slice(0, 20)})@${show(p)}`,
          apply: (r) => {
            const target = getAt(r, p);
            if (isObject(target)) defineOwn(target, key, value);
            return r;
          },
        })),
  ].filter((m): m is fc.Arbitrary<Mutation> => !!m);
  return fc.oneof(...options);
}

const UNKNOWN_CHANNELS = [
  '../x',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'npc.list ',
  ' npc.list',
  'NPC.LIST',
  'npc',
  'npc.',
  '.list',
  'studio:invoke',
  'npc.list\u0000',
  'npc/list',
  'chat.send.x',
];

function unknownChannel(bases: Record<string, unknown>): fc.Arbitrary<FuzzCase> {
  const name = fc.oneof(fc.constantFrom(...UNKNOWN_CHANNELS), fc.string({ minLength: 1, maxLength: 100 })).filter((n) => !isChannel(n));
  return fc
    .tuple(name, fc.constantFrom(...CHANNELS))
    .map(([channel, like]) => ({ channel, input: structuredClone(bases[like]), kinds: ['unknownChannel'] }));
}

function wholeInput(transport: Transport): fc.Arbitrary<FuzzCase> {
  const input = fc.oneof(wrongType, fc.constant(null), deep, hugeArray, overLong, nonJson(transport));
  return fc.tuple(fc.constantFrom(...CHANNELS), input).map(([channel, value]) => ({ channel, input: value, kinds: ['wholeInput'] }));
}

/** JSON with bigint as a string, as a careless client would send it; not ok when it cannot be sent at all. */
function jsonRoundTrip(value: unknown): { ok: true; value: unknown } | { ok: false } {
  try {
    const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    return { ok: true, value: text === undefined ? undefined : JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Electron's IPC clone; too deep a value throws in the renderer and never reaches the host. */
function cloned(value: unknown): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: structuredClone(value) };
  } catch {
    return { ok: false };
  }
}

/** What the host receives: Electron's IPC structured-clones; the web client sends JSON. */
function carried(c: FuzzCase, transport: Transport): FuzzCase | null {
  const sent = transport === 'router' ? cloned(c.input) : jsonRoundTrip(c.input);
  return sent.ok ? { ...c, input: sent.value } : null;
}

export function refusedByContract(c: FuzzCase): boolean {
  return !isChannel(c.channel) || !contract[c.channel].input.safeParse(c.input).success;
}

/** Malformed cases as `transport` carries them; every one is invalid under the contract. */
export function malformedCases(ids: SeedIds, transport: Transport): fc.Arbitrary<FuzzCase> {
  const bases = validInputs(ids);
  const byChannel = new Map(
    CHANNELS.map((channel) => [channel, fc.array(mutations(bases[channel], transport), { minLength: 1, maxLength: 3 })]),
  );
  const perChannel = fc.constantFrom(...CHANNELS).chain((channel) =>
    byChannel.get(channel)!.map((ms) => ({
      channel,
      input: ms.reduce((root, m) => m.apply(root), structuredClone(bases[channel]) as unknown),
      kinds: ms.map((m) => m.kind),
    })),
  );
  return fc
    .oneof(
      { weight: 16, arbitrary: perChannel },
      { weight: 1, arbitrary: unknownChannel(bases) },
      { weight: 1, arbitrary: wholeInput(transport) },
    )
    .map((c) => carried(c, transport))
    .filter((c): c is FuzzCase => c !== null && refusedByContract(c));
}

/**
 * `total` samples of `arb` in batches: generating thousands of cases at once blocks the event loop for
 * seconds, and a test server sharing that loop would then see its keep-alive sockets time out mid-use.
 */
export async function* sampleInBatches<T>(arb: fc.Arbitrary<T>, total: number, seed: number, batch = 200): AsyncGenerator<T> {
  for (let done = 0, round = 0; done < total; done += batch, round++) {
    await new Promise((resolve) => setImmediate(resolve));
    yield* fc.sample(arb, { numRuns: Math.min(batch, total - done), seed: seed + round * 7919 });
  }
}

/** The first word of a case's mutation kinds ("badId", "deep", ...), for the coverage figures. */
export function kindNames(c: FuzzCase): string[] {
  return c.kinds.map((k) => k.split(/[@(]/)[0]!);
}
