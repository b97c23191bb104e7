/*
 * Issue G case 2 and item 3: a second studio on a data folder that a live studio is using. While the first web
 * host streams chats for two NPCs, rounds of a second web host and a CLI start on the same folder; each must
 * exit 2 naming the holder and touch nothing (no second Chroma, the first's Chroma and its pid file
 * untouched, no log line, marker or lock of its own). Then the first host quits, a new one opens the folder,
 * and every message acknowledged during the rounds must be there once, with no duplicate id.
 *
 * Figure: RELIABILITY double_start N refused N lost 0 (N second starts; lost = acknowledged messages missing).
 * Rounds: NPC_DOUBLE_START_ROUNDS (3 here; npm run reliability runs more).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OllamaTestServer } from '../../electron/host/demo/ollama';
import { LOCK_DIR, type LockHolder } from '../../electron/host/lifecycle/data-folder-lock';
import { RUN_MARKER_FILE } from '../../electron/host/lifecycle/run-marker';
import { pidAlive } from '../../electron/host/resources/proc';
import { DEFAULT_SETTINGS } from '../../electron/host/settings/settings-store';
import { tempDir } from '../support/temp-dir';
import { waitForExit } from '../support/spawn-ts';
import { processesNaming } from './fixtures/crash-files';
import { writeFigures } from './support/figures';
import { startWebHost, type WebHostProcess } from './support/fuzz-web-host';
import { StudioSocket } from './support/studio-socket';

const ROUNDS = Number(process.env.NPC_DOUBLE_START_ROUNDS ?? 3);
const REPO = join(__dirname, '..', '..');
const REFUSED =
  /^NPC Studio is already open on this data folder \(pid (\d+) on host [^,]+, since [\d:-\s]+\); close it first or use --data-dir/m;

let dir: Awaited<ReturnType<typeof tempDir>>;
let ollama: OllamaTestServer;

beforeAll(async () => {
  dir = await tempDir('npc-double-');
  ollama = new OllamaTestServer({ switches: { tokenDelayMs: 8, replyTokens: 30 } });
  await ollama.start();
});

afterAll(async () => {
  await ollama?.stop();
  await dir?.remove();
});

/** A second start on the folder, as a user would run it: its exit code and what it printed. */
async function secondStart(kind: 'host' | 'cli', dataDir: string): Promise<{ code: number | null; out: string; ms: number }> {
  const args =
    kind === 'host'
      ? ['--import', 'tsx', 'electron/web-host.ts', '--data-dir', dataDir, '--port', '0']
      : ['--import', 'tsx', 'electron/cli.ts', 'npc', 'list', '--data-dir', dataDir];
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const { code } = await waitForExit(child);
  clearTimeout(timer);
  return { code, out, ms: Math.round(performance.now() - t0) };
}

interface Acked {
  npcId: string;
  id: string;
  text: string;
}

/** Chat turns one after another for one NPC until `stop()`; every message the host acknowledged is recorded. */
function chatLoop(socket: StudioSocket, npcId: string, acked: Acked[]) {
  let running = true;
  const texts = new Map<string, string>();
  const done = new Map<string, (messageId: string) => void>();
  socket.on('chat.token', (e) => e.npcId === npcId && texts.set(e.turnId, (texts.get(e.turnId) ?? '') + e.text));
  socket.on('chat.done', (e) => e.npcId === npcId && done.get(e.turnId)?.(e.messageId ?? ''));
  const loop = (async () => {
    for (let k = 0; running; k++) {
      const text = `${npcId} turn ${k}: what news from the salt road?`;
      const finished = new Promise<{ turnId: string; messageId: string }>((resolve) => {
        void socket.call('chat.send', { npcId, text }).then((sent) => {
          acked.push({ npcId, id: sent.userTurnId!, text });
          done.set(sent.turnId, (messageId) => resolve({ turnId: sent.turnId, messageId }));
        });
      });
      const { turnId, messageId } = await finished;
      acked.push({ npcId, id: messageId, text: texts.get(turnId) ?? '' });
    }
  })();
  return { stop: async () => ((running = false), await loop) };
}

describe('a second studio on a data folder in use', () => {
  it(`is refused with exit 2, touching nothing, while the first chats on (${ROUNDS} rounds of a host and a CLI)`, async () => {
    const dataDir = join(dir.path, 'studio');
    const settings = { ollama: { ...DEFAULT_SETTINGS.ollama, url: ollama.url } };
    const startedAt = Date.now();
    let first: WebHostProcess | null = await startWebHost(dataDir, settings);
    const attempts: { kind: string; code: number | null; refused: boolean; ms: number; out: string }[] = [];
    const touched: string[] = [];
    const acked: Acked[] = [];
    let lost: string[] = [];
    try {
      const socket = await StudioSocket.open(first.port, first.origin, first.token);
      const health = await socket.call('providers.health', {});
      const chroma = health.find((h) => h.id === 'chroma-server')!.resources;
      const chromaPid = chroma.pid as number;
      const pidFile = join(dataDir, 'chroma', 'studio-chroma-server.json');
      const pidFileBefore = await readFile(pidFile, 'utf8');
      const holderBefore = await readFile(join(dataDir, LOCK_DIR, 'holder.json'), 'utf8');
      const markerBefore = await readFile(join(dataDir, RUN_MARKER_FILE), 'utf8');
      const npcIds: string[] = [];
      for (const name of ['Mara', 'Quill']) {
        npcIds.push(
          (await socket.call('npc.save', { card: { name, first_mes: `${name} nods.` }, studio: { processor: 'local', model: 'llama3.2' } }))
            .id,
        );
      }
      const loops = npcIds.map((id) => chatLoop(socket, id, acked));
      // Chatting past two of the lock's 5 s refreshes first: the first host must keep its lock through them.
      await new Promise((r) => setTimeout(r, Math.max(0, 11_000 - (Date.now() - startedAt))));

      for (let round = 0; round < ROUNDS; round++) {
        for (const kind of ['host', 'cli'] as const) {
          const logBefore = await readFile(join(dataDir, 'logs', 'studio.log'), 'utf8');
          const r = await secondStart(kind, dataDir);
          const named = REFUSED.exec(r.out);
          attempts.push({
            kind,
            code: r.code,
            refused: r.code === 2 && Number(named?.[1]) === first.pid,
            ms: r.ms,
            out: r.out.slice(0, 300),
          });
          const label = `round ${round} ${kind}`;
          if (!pidAlive(chromaPid)) touched.push(`${label}: the first host's Chroma ${chromaPid} died`);
          if ((await readFile(pidFile, 'utf8')) !== pidFileBefore) touched.push(`${label}: the Chroma pid file changed`);
          const servers = await processesNaming(join(dataDir, 'chroma'));
          if (servers.length !== 1 || servers[0] !== chromaPid)
            touched.push(`${label}: Chroma servers on the folder: ${servers.join(', ')}`);
          if ((await readFile(join(dataDir, LOCK_DIR, 'holder.json'), 'utf8')) !== holderBefore)
            touched.push(`${label}: the lock holder changed`);
          if ((await readFile(join(dataDir, RUN_MARKER_FILE), 'utf8')) !== markerBefore) touched.push(`${label}: the run marker changed`);
          const logAfter = await readFile(join(dataDir, 'logs', 'studio.log'), 'utf8');
          if (logAfter.slice(logBefore.length).includes('NPC Studio starting'))
            touched.push(`${label}: a second start wrote to the studio log`);
          if (existsSync(join(dataDir, 'logs', 'cli.log'))) touched.push(`${label}: the refused CLI wrote a log`);
        }
      }
      await Promise.all(loops.map((l) => l.stop()));
      expect(acked.length).toBeGreaterThan(ROUNDS);
      expect(pidAlive(first.pid)).toBe(true);
      socket.close();
      const stopped = await first.stop();
      first = null;
      expect(stopped).toMatchObject({ code: 0, leftover: 0 });

      // Reopened: every acknowledged message there, once.
      first = await startWebHost(dataDir, settings);
      const again = await StudioSocket.open(first.port, first.origin, first.token);
      const problems: string[] = [];
      const found = new Map<string, { text: string; n: number }>();
      for (const npcId of npcIds) {
        const history = await again.call('chat.history', { npcId });
        problems.push(...(history.problems ?? []));
        for (const t of history.turns) {
          const key = `${npcId}/${t.id}`;
          found.set(key, { text: t.text, n: (found.get(key)?.n ?? 0) + 1 });
        }
      }
      lost = acked
        .filter((a) => found.get(`${a.npcId}/${a.id}`)?.text !== a.text)
        .map((a) => `${a.npcId}/${a.id} "${a.text.slice(0, 40)}"`);
      expect(problems).toEqual([]);
      expect([...found.entries()].filter(([, v]) => v.n > 1)).toEqual([]);
      const holder = JSON.parse(await readFile(join(dataDir, LOCK_DIR, 'holder.json'), 'utf8')) as LockHolder;
      expect(holder.pid).toBe(first.pid);
      again.close();
    } finally {
      const refused = attempts.filter((a) => a.refused).length;
      writeFigures('double-start', `RELIABILITY double_start ${attempts.length} refused ${refused} lost ${lost.length}`, {
        rounds: ROUNDS,
        attempts: attempts.map(({ kind, code, refused: r, ms }) => ({ kind, code, refused: r, ms })),
        acknowledgedMessages: acked.length,
        touched,
        lost: lost.slice(0, 20),
        notRefused: attempts.filter((a) => !a.refused).map((a) => `${a.kind} exit ${a.code}: ${a.out}`),
      });
      if (first) await first.stop();
    }
    expect(attempts.filter((a) => !a.refused).map((a) => `${a.kind} exit ${a.code}: ${a.out}`)).toEqual([]);
    expect(touched).toEqual([]);
    expect(lost).toEqual([]);
  }, 600_000);
});
