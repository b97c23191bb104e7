/*
 * Issue G case 4 and item 4: SIGKILL of the web host while a reply streams, then a restart. Every next start
 * must report "NPC Studio ended without a clean shutdown at about T" through app.lastShutdownReport (not the
 * last clean report), with T within the marker's 5 s heartbeat before the kill; the
 * reply that was streaming must come back as an interrupted turn holding the text journaled before the kill
 * (a prefix of what was streamed, not empty), and keep that mark over a clean restart.
 *
 * Figure: RELIABILITY unclean_exit_detected N/N. Rounds: NPC_UNCLEAN_ROUNDS (3 here; npm run reliability runs more).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OllamaTestServer } from '../../electron/host/demo/ollama';
import { descendantPids, pidAlive } from '../../electron/host/resources/proc';
import { DEFAULT_SETTINGS } from '../../electron/host/settings/settings-store';
import type { LastShutdownReport } from '../../shared/shutdown';
import { eventually } from '../support/leaks';
import { waitForExit } from '../support/spawn-ts';
import { tempDir } from '../support/temp-dir';
import { writeFigures } from './support/figures';
import { startWebHost, type WebHostProcess } from './support/fuzz-web-host';
import { StudioSocket } from './support/studio-socket';

const ROUNDS = Number(process.env.NPC_UNCLEAN_ROUNDS ?? 3);
/** Streaming this long before the kill: several draft writes (every 250 ms) land on disk. */
const STREAM_BEFORE_KILL_MS = 1200;
const UNCLEAN = /^NPC Studio ended without a clean shutdown at about \d\d:\d\d:\d\d on \d{4}-\d\d-\d\d$/;

let dir: Awaited<ReturnType<typeof tempDir>>;
let ollama: OllamaTestServer;

beforeAll(async () => {
  dir = await tempDir('npc-unclean-');
  // 400 tokens 25 ms apart: a reply streams for 10 s, so the kill always lands mid-stream.
  ollama = new OllamaTestServer({ switches: { tokenDelayMs: 25, replyTokens: 400 } });
  await ollama.start();
});

afterAll(async () => {
  await ollama?.stop();
  await dir?.remove();
});

async function sigkill(host: WebHostProcess): Promise<number> {
  const family = [host.pid, ...descendantPids(host.pid)];
  host.child.kill('SIGKILL');
  await waitForExit(host.child);
  const killedAt = Date.now();
  // The host's own children die with it (pdeathsig); anything left would hold the folder's Chroma.
  const left = await eventually(
    () => family.filter(pidAlive),
    (p) => p.length === 0,
    5000,
  );
  for (const p of left) process.kill(p, 'SIGKILL');
  return killedAt;
}

describe('an unclean exit (SIGKILL of the host mid-stream)', () => {
  it(`is reported at the next start, and the streaming reply is recovered as interrupted (${ROUNDS} rounds)`, async () => {
    const dataDir = join(dir.path, 'studio');
    const settings = { ollama: { ...DEFAULT_SETTINGS.ollama, url: ollama.url } };
    const rounds: {
      detected: boolean;
      last: LastShutdownReport;
      recovered: boolean;
      journaledChars: number;
      streamedChars: number;
      killedAt: number;
    }[] = [];
    let host: WebHostProcess | null = null;
    let npcId = '';
    try {
      let previousKill: { at: number; streamed: string } | null = null;
      for (let round = 0; round <= ROUNDS; round++) {
        host = await startWebHost(dataDir, settings);
        const socket = await StudioSocket.open(host.port, host.origin, host.token);
        const last = await socket.call('app.lastShutdownReport', {});
        if (previousKill) {
          const history = await socket.call('chat.history', { npcId });
          const reply = history.turns.at(-1)!;
          const unclean = last && 'unclean' in last ? last.unclean : null;
          const endedAbout = unclean ? Date.parse(unclean.endedAbout) : NaN;
          rounds.push({
            detected:
              !!unclean && UNCLEAN.test(unclean.message) && endedAbout <= previousKill.at + 1000 && endedAbout >= previousKill.at - 6000,
            last,
            recovered:
              reply.role === 'assistant' &&
              reply.status === 'interrupted' &&
              reply.text.length > 0 &&
              previousKill.streamed.startsWith(reply.text),
            journaledChars: reply.text.length,
            streamedChars: previousKill.streamed.length,
            killedAt: previousKill.at,
          });
        } else {
          expect(last).toBeNull();
          npcId = (
            await socket.call('npc.save', {
              card: { name: 'Mara', first_mes: 'Mara nods.' },
              studio: { processor: 'local', model: 'llama3.2' },
            })
          ).id;
        }
        if (round === ROUNDS) {
          socket.close();
          break;
        }
        let streamed = '';
        socket.on('chat.token', (e) => (streamed += e.text));
        await socket.call('chat.send', { npcId, text: `Round ${round}: tell me the whole history of the salt road.` });
        await eventually(
          () => streamed.length,
          (n) => n > 0,
          30_000,
        );
        await new Promise((r) => setTimeout(r, STREAM_BEFORE_KILL_MS));
        const at = await sigkill(host);
        host = null;
        previousKill = { at, streamed };
        socket.close();
      }

      // A clean quit and one more start: the interrupted marks stay, and the report is the clean one again.
      const socket = await StudioSocket.open(host!.port, host!.origin, host!.token);
      const before = (await socket.call('chat.history', { npcId })).turns;
      socket.close();
      expect((await host!.stop()).code).toBe(0);
      host = await startWebHost(dataDir, settings);
      const again = await StudioSocket.open(host.port, host.origin, host.token);
      const after = await again.call('chat.history', { npcId });
      expect(after.turns.map((t) => [t.id, t.status, t.text])).toEqual(before.map((t) => [t.id, t.status, t.text]));
      expect(after.turns.filter((t) => t.status === 'interrupted')).toHaveLength(ROUNDS);
      expect(await again.call('app.lastShutdownReport', {})).toMatchObject({ report: { exitCode: 0 } });
      again.close();
    } finally {
      const detected = rounds.filter((r) => r.detected).length;
      writeFigures('unclean-exit', `RELIABILITY unclean_exit_detected ${detected}/${ROUNDS}`, {
        rounds: rounds.map(({ detected: d, recovered, journaledChars, streamedChars, last }) => ({
          detected: d,
          recovered,
          journaledChars,
          streamedChars,
          report: last && 'unclean' in last ? last.unclean : last,
        })),
      });
      if (host) await host.stop();
    }
    expect(rounds.map((r) => ({ detected: r.detected, recovered: r.recovered }))).toEqual(
      rounds.map(() => ({ detected: true, recovered: true })),
    );
    expect(rounds).toHaveLength(ROUNDS);
  }, 600_000);
});
