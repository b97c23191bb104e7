/*
 * Issue G, cases 1 and 3: the launch chain people type. `npm run studio:web -- --demo` is npm → sh -c → node
 * (the host) → Chroma.
 *
 * - Ctrl-C: in a real pseudo-terminal (util-linux `script`), one "\x03" (the terminal sends SIGINT to npm, sh
 *   and the host; npm relays its own copy to sh; in half the runs a copy also reaches the host 5 ms later).
 *   The host must run one clean shutdown: exit code 0, the shutdown report written with exitCode 0, a streaming
 *   chat's partial reply kept in the transcript, marked interrupted (every other run streams), and nothing of
 *   the tree left. Figure: `RELIABILITY ctrl_c_runs N clean N`.
 * - Wrapper kills: SIGTERM to npm, SIGHUP and SIGKILL to npm and to the sh between npm and the host. None of
 *   those reaches the host by itself; its launch chain watch must run the normal shutdown, and no process of the
 *   tree (npm, sh, host, Chroma) may be alive at the shutdown deadline + 1 s. Figure:
 *   `RELIABILITY wrapper_kills N orphans 0`.
 *
 * Rounds: NPC_CTRL_C_ROUNDS (2 here; npm run reliability runs 20) and NPC_WRAPPER_KILL_ROUNDS (5, one of each
 * kill; npm run reliability runs 10).
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAME_REQUEST_WINDOW_MS } from '../../electron/host/lifecycle/signal-rule';
import { DEFAULT_SETTINGS } from '../../electron/host/settings/settings-store';
import { shutdownReportSchema, type ShutdownReport } from '../../shared/shutdown';
import { tempDir } from '../support/temp-dir';
import { writeFigures } from './support/figures';
import { killLeftovers, LaunchedStudio, waitAllGone, type TreeProcess } from './support/launch-chain-run';

const CTRL_C_ROUNDS = Number(process.env.NPC_CTRL_C_ROUNDS ?? 2);
const KILL_ROUNDS = Number(process.env.NPC_WRAPPER_KILL_ROUNDS ?? 5);
const DEADLINE_MS = DEFAULT_SETTINGS.timeouts.shutdownDeadlineMs;
/** "Nothing left at the deadline + 1 s", counted from the signal or the kill. */
const LEFT_CHECK_MS = DEADLINE_MS + 1000;

const KILLS = [
  { signal: 'SIGTERM', target: 'npm' },
  { signal: 'SIGKILL', target: 'sh' },
  { signal: 'SIGHUP', target: 'npm' },
  { signal: 'SIGKILL', target: 'npm' },
  { signal: 'SIGHUP', target: 'sh' },
] as const;

let dir: Awaited<ReturnType<typeof tempDir>>;
const trees: TreeProcess[][] = [];
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  for (const tree of trees) killLeftovers(tree);
  await dir.remove();
});

async function reportIn(dataDir: string): Promise<ShutdownReport | null> {
  try {
    return shutdownReportSchema.parse(JSON.parse(await readFile(join(dataDir, 'shutdown-report.json'), 'utf8')));
  } catch {
    return null;
  }
}

/** The journal lines of the demo NPC's transcripts that mention `text`. */
async function journalLinesWith(dataDir: string, text: string): Promise<string[]> {
  const folder = join(dataDir, 'transcripts', 'demo-mira');
  const lines: string[] = [];
  for (const file of await readdir(folder).catch(() => [])) {
    if (!file.endsWith('.jsonl')) continue;
    lines.push(...(await readFile(join(folder, file), 'utf8')).split('\n').filter((l) => l.includes(text)));
  }
  return lines;
}

interface Streaming {
  turnId: string;
  tokens: string;
  done: Promise<{ interrupted: boolean; messageId?: string }>;
}

/** Makes the demo model's replies long (so the drain cuts them), sends a message and waits for a few tokens. */
async function startStreaming(studio: LaunchedStudio): Promise<{ streaming: Streaming; close: () => void }> {
  const socket = await studio.socket();
  const demo = (await socket.call('providers.health', {})).find((h) => h.id === 'ollama-demo-server');
  const port = demo?.resources.port;
  if (typeof port !== 'number') throw new Error(`the demo Ollama server reports no port: ${JSON.stringify(demo)}`);
  const control = await fetch(`http://127.0.0.1:${port}/__control`, { method: 'POST', body: JSON.stringify({ replyTokens: 4000 }) });
  if (!control.ok) throw new Error(`the demo server refused the switch: ${control.status} ${await control.text()}`);
  let tokens = '';
  let settle: (v: { interrupted: boolean; messageId?: string }) => void = () => undefined;
  const done = new Promise<{ interrupted: boolean; messageId?: string }>((resolve) => (settle = resolve));
  const sent = await socket.call('chat.send', { npcId: 'demo-mira', text: 'Tell me the whole history of the harbor, slowly.' });
  socket.on('chat.token', (e) => e.turnId === sent.turnId && (tokens += e.text));
  socket.on('chat.done', (e) => e.turnId === sent.turnId && settle({ interrupted: e.interrupted, messageId: e.messageId }));
  const t0 = performance.now();
  while (tokens.length < 20) {
    if (performance.now() - t0 > 30_000) throw new Error(`no streaming tokens within 30 s (got "${tokens}")`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const streaming: Streaming = {
    turnId: sent.turnId,
    done,
    get tokens() {
      return tokens;
    },
  };
  return { streaming, close: () => socket.close() };
}

interface CtrlCRun {
  round: number;
  streaming: boolean;
  relayed: boolean;
  clean: boolean;
  problems: string[];
  stopMs: number | null;
}

/** A relaying wrapper forwards within milliseconds; an idle studio's whole quit takes about 25 ms. */
const RELAY_AFTER_MS = 5;

/**
 * `relay`: RELAY_AFTER_MS after the Ctrl-C, one more SIGINT straight to the host, as a relaying wrapper sends it
 * (tsx, or npm where sh execs the host); in this chain npm's own relay stops at sh, so this makes the copy certain.
 */
async function ctrlCRound(round: number, stream: boolean, relay: boolean): Promise<CtrlCRun> {
  const dataDir = join(dir.path, `ctrl-c-${round}`);
  const studio = await LaunchedStudio.start({ dataDir, pty: true });
  const tree = studio.tree();
  trees.push(tree);
  const problems: string[] = [];
  try {
    // The tree is whole before the signal: the host and its Chroma child are in it.
    const host = studio.find(tree, 'host');
    studio.find(tree, 'chroma');
    const chat = stream ? await startStreaming(studio) : null;
    studio.ctrlC();
    if (relay) {
      setTimeout(() => {
        try {
          process.kill(host.pid, 'SIGINT');
        } catch (err) {
          problems.push(`the relayed copy was not delivered (${(err as Error).message}): this round did not test it`);
        }
      }, RELAY_AFTER_MS);
    }
    const { alive, goneAfterMs } = await waitAllGone(tree, LEFT_CHECK_MS);
    if (alive.length > 0)
      problems.push(`alive at ${LEFT_CHECK_MS} ms: ${alive.map((p) => `${p.pid} ${p.command.slice(0, 60)}`).join('; ')}`);
    await studio.exited;
    const output = studio.output;
    if (!/NPC Studio stopped, exit code 0/.test(output))
      problems.push(`the host did not say it stopped with exit code 0:\n${output.slice(-1500)}`);
    if (!output.includes('Shutting down… press Ctrl-C again to force')) problems.push('no "Shutting down…" notice on the terminal');
    const report = await reportIn(dataDir);
    if (!report) problems.push('no shutdown report');
    else if (report.exitCode !== 0 || report.reason !== 'signal SIGINT')
      problems.push(`report: reason ${report.reason}, exit code ${report.exitCode}`);
    if (chat) {
      const done = await Promise.race([chat.streaming.done, new Promise<null>((r) => setTimeout(() => r(null), 1000))]);
      chat.close();
      const partial = chat.streaming.tokens;
      if (!done?.interrupted || !done.messageId) problems.push(`the streaming reply did not end as interrupted: ${JSON.stringify(done)}`);
      else {
        const lines = await journalLinesWith(dataDir, done.messageId);
        const kept = lines.some((l) => l.includes('interrupted') && l.includes(JSON.stringify(partial.slice(0, 20)).slice(1, -1)));
        if (!kept)
          problems.push(`the partial reply (${partial.length} characters) is not in the journal as interrupted: ${lines.join('\n')}`);
      }
    }
    return { round, streaming: stream, relayed: relay, clean: problems.length === 0, problems, stopMs: goneAfterMs };
  } catch (err) {
    problems.push(`round failed: ${(err as Error).message}`);
    return { round, streaming: stream, relayed: relay, clean: false, problems, stopMs: null };
  } finally {
    killLeftovers(tree);
  }
}

interface KillRun {
  kill: string;
  orphans: TreeProcess[];
  goneAfterMs: number | null;
  report: { reason: string; exitCode: number } | null;
}

async function killRound(round: number, kill: (typeof KILLS)[number]): Promise<KillRun> {
  const dataDir = join(dir.path, `kill-${round}`);
  const studio = await LaunchedStudio.start({ dataDir, pty: false });
  const tree = studio.tree();
  trees.push(tree);
  try {
    studio.find(tree, 'host');
    studio.find(tree, 'chroma');
    const target = studio.find(tree, kill.target);
    process.kill(target.pid, kill.signal);
    const { alive, goneAfterMs } = await waitAllGone(tree, LEFT_CHECK_MS);
    const report = await reportIn(dataDir);
    return {
      kill: `${kill.signal} → ${kill.target}`,
      orphans: alive,
      goneAfterMs,
      report: report && { reason: report.reason, exitCode: report.exitCode },
    };
  } finally {
    killLeftovers(tree);
  }
}

describe.skipIf(process.platform !== 'linux')('the launch chain people type (npm run studio:web)', () => {
  it(
    `one Ctrl-C in a real terminal: exit 0, report written, partial reply kept, nothing left (${CTRL_C_ROUNDS} runs)`,
    async () => {
      const runs: CtrlCRun[] = [];
      // Streaming in every other run; a relayed copy in the rounds 1, 2 of every 4, so each pairing occurs.
      for (let round = 0; round < CTRL_C_ROUNDS; round++)
        runs.push(await ctrlCRound(round, round % 2 === 0, round % 4 === 1 || round % 4 === 2));
      const clean = runs.filter((r) => r.clean).length;
      writeFigures('ctrl-c', `RELIABILITY ctrl_c_runs ${runs.length} clean ${clean}`, {
        sameRequestWindowMs: SAME_REQUEST_WINDOW_MS,
        streamingRuns: runs.filter((r) => r.streaming).length,
        relayedRuns: runs.filter((r) => r.relayed).length,
        stopMs: runs.map((r) => (r.stopMs === null ? null : Math.round(r.stopMs))),
        problems: runs.filter((r) => !r.clean).map((r) => ({ round: r.round, problems: r.problems })),
      });
      expect(runs.filter((r) => !r.clean)).toEqual([]);
    },
    60_000 + CTRL_C_ROUNDS * 60_000,
  );

  it(
    `a killed wrapper (npm, or the sh under it) ends the whole tree through the normal shutdown (${KILL_ROUNDS} kills)`,
    async () => {
      const runs: KillRun[] = [];
      for (let round = 0; round < KILL_ROUNDS; round++) runs.push(await killRound(round, KILLS[round % KILLS.length]!));
      const orphans = runs.reduce((n, r) => n + r.orphans.length, 0);
      writeFigures('wrapper-kills', `RELIABILITY wrapper_kills ${runs.length} orphans ${orphans}`, {
        leftCheckMs: LEFT_CHECK_MS,
        runs: runs.map((r) => ({
          kill: r.kill,
          goneAfterMs: r.goneAfterMs === null ? null : Math.round(r.goneAfterMs),
          report: r.report,
          orphans: r.orphans.map((p) => p.command.slice(0, 80)),
        })),
      });
      expect(runs.flatMap((r) => r.orphans.map((p) => `${r.kill}: ${p.command}`))).toEqual([]);
      // The normal shutdown ran: the launcher's exit (or npm's relayed signal) started it and it finished cleanly.
      for (const r of runs)
        expect(r.report, r.kill).toMatchObject({
          exitCode: 0,
          reason: expect.stringMatching(/^(launcher exited|signal SIG(TERM|HUP|INT))$/),
        });
    },
    60_000 + KILL_ROUNDS * 60_000,
  );

  it('npm run ollama:demo: one Ctrl-C in a terminal, or npm killed, ends the demo server', async () => {
    const problems: string[] = [];
    for (const how of ['ctrl-c', 'SIGKILL → npm', 'SIGTERM → npm'] as const) {
      const demo = await LaunchedStudio.start({ script: 'ollama:demo', dataDir: '', pty: how === 'ctrl-c' });
      const tree = demo.tree();
      trees.push(tree);
      try {
        if (how === 'ctrl-c') demo.ctrlC();
        else process.kill(demo.find(tree, 'npm').pid, how === 'SIGKILL → npm' ? 'SIGKILL' : 'SIGTERM');
        const { alive } = await waitAllGone(tree, LEFT_CHECK_MS);
        if (alive.length > 0) problems.push(`${how}: left ${alive.map((p) => p.command).join('; ')}`);
        if (!/stopping/.test(demo.output))
          problems.push(`${how}: the demo server did not say it was stopping:\n${demo.output.slice(-500)}`);
      } finally {
        killLeftovers(tree);
      }
    }
    expect(problems).toEqual([]);
  }, 120_000);

  it('SIGKILL of the host itself: Chroma dies with it (pdeathsig), and the wrappers exit', async () => {
    const dataDir = join(dir.path, 'host-kill');
    const studio = await LaunchedStudio.start({ dataDir, pty: false });
    const tree = studio.tree();
    trees.push(tree);
    try {
      process.kill(studio.find(tree, 'host').pid, 'SIGKILL');
      const { alive } = await waitAllGone(tree, 2000);
      expect(alive.map((p) => p.command)).toEqual([]);
    } finally {
      killLeftovers(tree);
    }
  }, 240_000);
});
