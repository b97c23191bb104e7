/*
 * Issue F item 4: 10,000 generated malformed payloads across every channel, through the router (an
 * in-process studio with a real Chroma and a test Ollama) and through the real web host process's
 * WebSocket (right token and Origin), plus raw garbage and oversize frames. Every case gets a
 * ValidationError (garbage frames a well-formed error result), the host never crashes, and no stored
 * state changes. FUZZ_SEED=<n> replays a run; FUZZ_SEED=random tries a new one.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS, contract } from '../../shared/contract';
import type { ChatDoneEvent } from '../../shared/events';
import { MAX_FRAME_BYTES } from '../../shared/wire';
import { pidAlive } from '../../electron/host/resources/proc';
import type { Studio } from '../../electron/host/studio';
import { OllamaTestServer } from '../../electron/host/demo/ollama';
import { caller, startStudio, TEST_SENDER } from '../support/studio-rig';
import { tempDir } from '../support/temp-dir';
import { writeFigures } from './support/figures';
import { EDGE_FRAMES, expectedId, rawFrames } from './support/fuzz-frames';
import { kindNames, malformedCases, sampleInBatches, validInputs, type FuzzCase, type SeedIds } from './support/fuzz-payloads';
import { describeCase, seedStudio, wrongAnswer } from './support/fuzz-seed';
import { FuzzSocket } from './support/fuzz-socket';
import { storedState, type StoredState } from './support/fuzz-state';
import { startWebHost, type WebHostProcess } from './support/fuzz-web-host';

/** Enough cases that every channel gets its share, however many channels the contract has. */
const ROUTER_CASES = Math.max(7_000, CHANNELS.length * 150);
const WS_CASES = Math.max(2_700, CHANNELS.length * 60);
const RAW_FRAMES = 300;
/** ws-transport.ts refuses messages over 20 MiB. */
/** Frames past the limit are still read (and answered PayloadTooLarge) up to twice it; past that the socket closes. */
const UNREADABLE_FRAME_BYTES = 2 * MAX_FRAME_BYTES + 1;
// Fixed by default so CI is repeatable; FUZZ_SEED=random explores new cases (the seed is printed on failure).
const SEED = process.env.FUZZ_SEED === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.FUZZ_SEED ?? 20_261_121);

interface PathFigures {
  cases: number;
  crashes: number;
  wrong: number;
  failures: string[];
}
const newPath = (): PathFigures => ({ cases: 0, crashes: 0, wrong: 0, failures: [] });
const paths = { router: newPath(), ws: newPath(), rawFrames: newPath(), oversize: newPath() };
const coverage: Record<string, Record<string, number>> = {};

function note(path: PathFigures, failure: string, crash: boolean): void {
  if (crash) path.crashes++;
  else path.wrong++;
  if (path.failures.length < 10) path.failures.push(failure);
}

function count(label: string, cases: FuzzCase[]): void {
  const tally: Record<string, number> = {};
  for (const c of cases) for (const k of [`channel:${c.channel}`, ...kindNames(c)]) tally[k] = (tally[k] ?? 0) + 1;
  coverage[label] = tally;
}

/** Every channel and every kind of malformation is exercised, not just the cheap ones. */
function expectCoverage(cases: FuzzCase[], perChannel: number): void {
  const channels = new Map<string, number>();
  const kinds = new Set<string>();
  for (const c of cases) {
    channels.set(c.channel, (channels.get(c.channel) ?? 0) + 1);
    for (const k of kindNames(c)) kinds.add(k);
  }
  for (const channel of CHANNELS) expect(channels.get(channel) ?? 0, channel).toBeGreaterThanOrEqual(perChannel);
  expect([...kinds].sort()).toEqual([
    'badId',
    'deep',
    'extraKey',
    'hugeArray',
    'missingKey',
    'nonJson',
    'outOfRange',
    'overLong',
    'unknownChannel',
    'wholeInput',
    'wrongType',
  ]);
}

afterAll(() => {
  const all = Object.values(paths);
  const total = all.reduce((n, p) => n + p.cases, 0);
  const crashes = all.reduce((n, p) => n + p.crashes, 0);
  writeFigures('fuzz', `RELIABILITY fuzz_cases ${total} crashes ${crashes}`, {
    seed: SEED,
    total,
    crashes,
    wrongResults: all.reduce((n, p) => n + p.wrong, 0),
    ...paths,
    coverage,
  });
});

describe('IPC fuzz through the router (in-process studio)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let ollama: OllamaTestServer;
  let studio: Studio;
  let ids: SeedIds;

  beforeAll(async () => {
    dir = await tempDir();
    ollama = new OllamaTestServer();
    await ollama.start();
    ({ studio } = await startStudio(dir.path, { ollamaUrl: ollama.url }));
    ids = await seedStudio(
      caller(studio),
      (turnId) =>
        new Promise<ChatDoneEvent>((resolve) => {
          const off = studio.router.subscribe('chat.done', (e) => e.turnId === turnId && (off(), resolve(e)));
        }),
    );
  });
  afterAll(async () => {
    await studio?.coordinator.run('fuzz done');
    await ollama?.stop();
    await dir?.remove();
  });

  it('starts from a valid input per channel, so the mutations are what the router refuses', () => {
    const bases = validInputs(ids);
    for (const channel of CHANNELS) expect(contract[channel].input.safeParse(bases[channel]).success, channel).toBe(true);
  });

  it(`answers ${ROUTER_CASES} malformed payloads with ValidationError and changes nothing`, async () => {
    const call = caller(studio);
    const before: StoredState = await storedState(dir.path, call, ids);
    const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
    const cases: FuzzCase[] = [];
    for await (const c of sampleInBatches(malformedCases(ids, 'router'), ROUTER_CASES, SEED)) {
      cases.push(c);
      paths.router.cases++;
      try {
        const problem = wrongAnswer(c, await studio.router.call(c.channel, c.input, TEST_SENDER));
        if (problem) note(paths.router, `${describeCase(c)}: ${problem}`, false);
      } catch (err) {
        note(paths.router, `${describeCase(c)}: the router rejected: ${(err as Error).stack}`, true);
      }
    }
    count('router', cases);
    expect(paths.router.failures, `seed ${SEED}`).toEqual([]);
    expectCoverage(cases, 100);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await storedState(dir.path, call, ids)).toEqual(before);
  }, 120_000);
});

describe('IPC fuzz through the web host process (WebSocket with token and Origin)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let ollama: OllamaTestServer;
  let host: WebHostProcess;
  let socket: FuzzSocket;
  let ids: SeedIds;
  let before: StoredState;
  const dataDir = () => join(dir.path, 'data');

  beforeAll(async () => {
    dir = await tempDir();
    ollama = new OllamaTestServer();
    await ollama.start();
    host = await startWebHost(dataDir(), { ollama: { url: ollama.url } });
    socket = await FuzzSocket.open(host.wsUrl(host.token), host.origin);
    const s = socket;
    ids = await seedStudio(
      (channel, input) => s.call(channel, input),
      (turnId) => s.waitForEvent('chat.done', (e) => e.turnId === turnId),
    );
    before = await storedState(dataDir(), (channel, input) => s.call(channel, input), ids);
  });
  afterAll(async () => {
    await socket?.close();
    if (host && host.child.exitCode === null) await host.stop();
    await ollama?.stop();
    await dir?.remove();
  });

  it(`answers ${WS_CASES} malformed payloads with ValidationError for the frame's id`, async () => {
    const cases: FuzzCase[] = [];
    for await (const c of sampleInBatches(malformedCases(ids, 'ws'), WS_CASES, SEED + 1)) {
      cases.push(c);
      paths.ws.cases++;
      const { id, outcome } = await socket.request(c.channel, c.input);
      if (outcome.type !== 'response') {
        note(paths.ws, `${describeCase(c)}: ${outcome.type}${outcome.type === 'closed' ? ` ${outcome.code}` : ''}`, true);
        if (!pidAlive(host.pid)) break;
        socket = await FuzzSocket.open(host.wsUrl(host.token), host.origin);
        continue;
      }
      const problem = outcome.message.id === id ? wrongAnswer(c, outcome.message) : `answered id ${outcome.message.id}, sent ${id}`;
      if (problem) note(paths.ws, `${describeCase(c)}: ${problem}`, false);
    }
    count('ws', cases);
    expect(paths.ws.failures, `seed ${SEED + 1}`).toEqual([]);
    expect(pidAlive(host.pid)).toBe(true);
    expectCoverage(cases, 30);
  }, 120_000);

  it(`answers ${RAW_FRAMES} raw garbage frames with an error result, on the same socket`, async () => {
    const frames = [...EDGE_FRAMES, ...fc.sample(rawFrames, { numRuns: RAW_FRAMES - EDGE_FRAMES.length, seed: SEED + 2 })];
    coverage.rawFrames = {};
    for (const frame of frames) {
      paths.rawFrames.cases++;
      coverage.rawFrames[frame.kind] = (coverage.rawFrames[frame.kind] ?? 0) + 1;
      const outcome = await socket.frame(frame.data, frame.binary);
      const shown = `${frame.kind} ${JSON.stringify(frame.data.toString().slice(0, 120))}`;
      if (outcome.type !== 'response') {
        note(paths.rawFrames, `${shown}: ${outcome.type}`, true);
        if (!pidAlive(host.pid)) break;
        socket = await FuzzSocket.open(host.wsUrl(host.token), host.origin);
        continue;
      }
      const m = outcome.message;
      const ok = m.ok === false && m.error.code === 'ValidationError' && m.id === expectedId(frame) && m.error.issues.length > 0;
      if (!ok) note(paths.rawFrames, `${shown}: got ${JSON.stringify(m).slice(0, 300)}`, false);
    }
    expect(paths.rawFrames.failures, `seed ${SEED + 2}`).toEqual([]);
    expect(Object.keys(coverage.rawFrames).length).toBeGreaterThanOrEqual(7);
  }, 60_000);

  it('refuses the largest card, answers an oversize frame PayloadTooLarge, closes (1009) only the socket of a huge one', async () => {
    const png = { id: 41, channel: 'npc.importCard', input: { format: 'png', base64: 'A'.repeat(16_000_001) } };
    paths.oversize.cases++;
    const justUnder = await socket.frame(JSON.stringify(png));
    if (
      justUnder.type !== 'response' ||
      justUnder.message.ok ||
      justUnder.message.error.code !== 'ValidationError' ||
      justUnder.message.id !== 41
    ) {
      note(paths.oversize, `16 MB base64 card: ${JSON.stringify(justUnder).slice(0, 300)}`, justUnder.type !== 'response');
    }

    paths.oversize.cases++;
    const over = await socket.frame(JSON.stringify({ id: 43, channel: 'npc.list', input: { pad: 'x'.repeat(MAX_FRAME_BYTES) } }));
    if (over.type !== 'response' || over.message.ok || over.message.error.code !== 'PayloadTooLarge' || over.message.id !== 43) {
      note(paths.oversize, `frame over the limit: ${JSON.stringify(over).slice(0, 300)}`, false);
    }

    const victim = await FuzzSocket.open(host.wsUrl(host.token), host.origin);
    paths.oversize.cases++;
    const huge = await victim.frame(JSON.stringify({ id: 42, channel: 'npc.list', input: { pad: 'x'.repeat(UNREADABLE_FRAME_BYTES) } }));
    if (huge.type !== 'closed' || huge.code !== 1009) note(paths.oversize, `huge frame: ${JSON.stringify(huge).slice(0, 300)}`, false);

    expect(paths.oversize.failures).toEqual([]);
    expect(pidAlive(host.pid)).toBe(true);
    expect(await socket.call('npc.list', {})).toEqual([expect.objectContaining({ id: ids.npcId, name: 'Mira' })]);
  }, 60_000);

  it('changed no stored state, still answers, and then shuts down clean', async () => {
    expect(pidAlive(host.pid)).toBe(true);
    expect(await storedState(dataDir(), (channel, input) => socket.call(channel, input), ids)).toEqual(before);
    await socket.close();
    const stopped = await host.stop();
    expect(stopped).toEqual({ code: 0, signal: null, leftover: 0 });
  });
});
