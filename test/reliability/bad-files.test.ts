/*
 * Issue F item 6: damaged data files. A first run leaves real data (an NPC, a chat turn with its usage
 * records, a shutdown report); then the files are damaged the way crashes and hand edits damage them: an
 * NPC file cut mid-write, an NPC file with a wrong type, a torn last transcript record, a torn last usage
 * record, a garbage shutdown report, a settings file with wrong types. The studio must start, say what is
 * wrong with each file in the UI (through the router) and in the log, and delete nothing: every damaged
 * file keeps its bytes through the start and a clean shutdown, except a torn journal tail (cut off by
 * design, and reported) and the garbage report (moved aside, not overwritten, when the new one is written).
 */
import { createHash } from 'node:crypto';
import { appendFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DataProblem } from '../../shared/contract';
import type { LogLine } from '../../shared/logs';
import type { Studio } from '../../electron/host/studio';
import { startStudio } from '../support/studio-rig';
import { useTempDirAndOllama } from '../support/studio-fixtures';
import { reportOutcomes } from '../support/report-outcomes';
import { writeFigures } from './support/figures';

const fixtures = useTempDirAndOllama('npc-bad-files-');

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const bytesOf = (file: string) => readFile(file);

async function chatTurn(studio: Studio, call: Awaited<ReturnType<typeof startStudio>>['call'], npcId: string, text: string): Promise<void> {
  const done = new Promise<void>((resolve) => {
    const off = studio.router.subscribe('chat.done', () => {
      off();
      resolve();
    });
  });
  await call('chat.send', { npcId, text });
  await done;
}

/** One damaged file: what the UI and the log must say about it, and what must become of its bytes. */
interface Case {
  name: string;
  file: string;
  bytes: Buffer;
  /** The file's bytes before the damage, for a journal whose torn tail is cut off on open. */
  before?: Buffer;
  ui: string[];
  logged: LogLine[];
  keptAfterStart: boolean;
  keptAfterShutdown: boolean;
}

describe('bad data files', () => {
  it('are reported in the UI and the log, the studio starts, and nothing is deleted', async () => {
    // A first run leaves real data.
    const first = await startStudio(fixtures.dir.path, { ollamaUrl: fixtures.ollama.url });
    const mara = await first.call('npc.save', {
      card: { name: 'Mara', first_mes: 'Welcome to Saltmere.' },
      studio: { processor: 'local', model: 'llama3.2' },
    });
    await chatTurn(first.studio, first.call, mara.id, 'Where is the rum?');
    const setup = await first.studio.coordinator.run('setup');
    expect(setup.exitCode, reportOutcomes(setup)).toBe(0);

    // The damage.
    const file = {
      truncatedNpc: join(fixtures.dir.path, 'npcs', 'cut-npc.json'),
      wrongTypeNpc: join(fixtures.dir.path, 'npcs', 'typed-npc.json'),
      transcript: join(fixtures.dir.path, 'transcripts', mara.id, 'main.jsonl'),
      usage: join(fixtures.dir.path, 'usage.jsonl'),
      report: join(fixtures.dir.path, 'shutdown-report.json'),
      settings: join(fixtures.dir.path, 'settings.json'),
    };
    const maraText = await readFile(join(fixtures.dir.path, 'npcs', `${mara.id}.json`), 'utf8');
    const cut = maraText.replaceAll(mara.id, 'cut-npc');
    await writeFile(file.truncatedNpc, cut.slice(0, Math.floor(cut.length / 2)));
    const typed = JSON.parse(maraText.replaceAll(mara.id, 'typed-npc')) as { card: Record<string, unknown> };
    typed.card.name = 42;
    await writeFile(file.wrongTypeNpc, JSON.stringify(typed, null, 2));
    const transcriptBefore = await bytesOf(file.transcript);
    await appendFile(file.transcript, '{"type":"message-added","at":"2026-01-01T00:00:00.000Z","id":"m9","role":"user","tex');
    const usageBefore = await bytesOf(file.usage);
    expect(usageBefore.length).toBeGreaterThan(0);
    await appendFile(file.usage, '{"time":"2026-01-01T00:0');
    await writeFile(file.report, Buffer.from([0x00, 0xff, 0x7b, 0x7b, 0x20, 0x67, 0x61, 0x72, 0x62, 0x61, 0x67, 0x65]));
    await writeFile(
      file.settings,
      JSON.stringify({
        ollama: { url: 42 },
        bedrock: { region: 'us-east-1' },
        chroma: { mode: 'embedded' },
        timeouts: { providerCleanupMs: 'fast', shutdownDeadlineMs: 5000, drainMs: 2000 },
      }),
    );
    const cases: Case[] = [];
    const add = async (name: string, path: string, before?: Buffer) =>
      cases.push({
        name,
        file: path,
        bytes: await bytesOf(path),
        before,
        ui: [],
        logged: [],
        keptAfterStart: false,
        keptAfterShutdown: false,
      });
    await add('truncated NPC file', file.truncatedNpc);
    await add('NPC file with a wrong type', file.wrongTypeNpc);
    await add('torn transcript', file.transcript, transcriptBefore);
    await add('torn usage journal', file.usage, usageBefore);
    await add('garbage shutdown report', file.report);
    await add('settings with wrong types', file.settings);
    const byName = (name: string) => cases.find((c) => c.name === name)!;

    // The studio starts on the damaged folder.
    const { studio, call } = await startStudio(fixtures.dir.path, { ollamaUrl: fixtures.ollama.url });
    const health = await call('providers.health', {});
    expect(health.filter((h) => h.lastError?.startsWith('did not start')).map((h) => `${h.id}: ${h.lastError}`)).toEqual([]);
    expect(health.map((h) => h.id).sort()).toEqual(['studio-host', ...studio.registry.list().map((p) => p.id)].sort());
    expect((await call('npc.list', {})).map((n) => n.id)).toEqual([mara.id]);

    // What the UI gets: app.info's problems, the last-report banner, NPC store health, the chat view.
    const info = await call('app.info', {});
    const problemsFor = (path: string) => info.problems.filter((p: DataProblem) => p.file === path).map((p) => p.message);
    byName('truncated NPC file').ui.push(...problemsFor(file.truncatedNpc));
    byName('NPC file with a wrong type').ui.push(...problemsFor(file.wrongTypeNpc));
    byName('torn usage journal').ui.push(...problemsFor(file.usage));
    byName('settings with wrong types').ui.push(...problemsFor(file.settings));
    const last = await call('app.lastShutdownReport', {});
    if (last && 'problem' in last) byName('garbage shutdown report').ui.push(last.problem);
    const history = await call('chat.history', { npcId: mara.id });
    byName('torn transcript').ui.push(...(history.problems ?? []));

    expect(byName('truncated NPC file').ui.join()).toMatch(/not valid JSON/);
    expect(byName('NPC file with a wrong type').ui.join()).toMatch(/card\.name: .*expected string/i);
    expect(byName('torn usage journal').ui.join()).toMatch(/line \d+: torn last record dropped/);
    expect(byName('settings with wrong types').ui.join()).toMatch(/ollama\.url: .*default settings/);
    expect(byName('garbage shutdown report').ui.join()).toMatch(/shutdown-report\.json: not valid JSON/);
    expect(byName('torn transcript').ui.join()).toMatch(/line \d+: torn last record dropped/);
    const byId = Object.fromEntries((await call('providers.health', {})).map((h) => [h.id, h]));
    expect(byId['npc-store']).toMatchObject({ status: 'degraded', resources: { invalidFiles: 2 } });
    expect(byId['npc-store']!.lastError).toMatch(/2 NPC file\(s\) failed validation/);
    expect(byId['usage-tracker']!.resources).toMatchObject({ droppedOnOpen: 1, skippedOnOpen: 0 });
    expect(byId['transcript-store']).toMatchObject({ status: 'degraded' });
    expect((await call('settings.get', {})).ollama.url).toBe('http://127.0.0.1:11434');
    // The turns before the torn record are all there.
    expect(history.turns.map((t) => t.role)).toEqual(['assistant', 'user', 'assistant']);
    // A save over the damaged NPC's id is refused with the reason, not written over it.
    const refused = await call('npc.save', {
      id: 'cut-npc',
      card: { name: 'Cut' },
      studio: { processor: 'local', model: 'llama3.2' },
    }).catch((err: Error) => err.message);
    expect(refused).toMatch(/save refused: .*cut-npc\.json failed validation .* kept as it is/);

    // What the log says: each entry names the file (in its text or its fields).
    const entries = studio.logs.ring.tail(2000, 'warn');
    for (const c of cases) c.logged = entries.filter((e) => e.msg.includes(c.file) || e.fields.file === c.file);
    expect(
      byName('truncated NPC file')
        .logged.map((e) => e.msg)
        .join(),
    ).toMatch(/NPC file kept but not loaded: not valid JSON/);
    expect(
      byName('NPC file with a wrong type')
        .logged.map((e) => e.msg)
        .join(),
    ).toMatch(/NPC file kept but not loaded/);
    expect(
      byName('torn transcript')
        .logged.map((e) => e.msg)
        .join(),
    ).toMatch(/torn last record dropped/);
    expect(
      byName('torn usage journal')
        .logged.map((e) => e.msg)
        .join(),
    ).toMatch(/torn last record dropped/);
    expect(
      byName('garbage shutdown report')
        .logged.map((e) => e.msg)
        .join(),
    ).toMatch(/last shutdown report could not be read/);
    expect(
      byName('settings with wrong types')
        .logged.map((e) => e.msg)
        .join(),
    ).toMatch(/Settings file is not usable/);

    // The studio works on: a new turn lands after the dropped tail.
    await chatTurn(studio, call, mara.id, 'And the lighthouse?');
    expect((await call('chat.history', { npcId: mara.id })).turns).toHaveLength(5);

    for (const c of cases) {
      const now = await bytesOf(c.file);
      // A torn journal tail is cut off on open (by design); the records before it stay byte for byte.
      c.keptAfterStart = c.before ? now.subarray(0, c.before.length).equals(c.before) && sha(now) !== sha(c.bytes) : now.equals(c.bytes);
    }
    const report = await studio.coordinator.run('bad files: clean quit');
    expect(report.exitCode, reportOutcomes(report)).toBe(0);

    const aside = (await readdir(fixtures.dir.path)).filter((n) => n.startsWith('shutdown-report.json.unreadable-'));
    for (const c of cases) {
      if (c.name === 'garbage shutdown report') {
        // The new report replaces it; the garbage is kept next to it.
        const keptAs = await Promise.all(aside.map((n) => bytesOf(join(fixtures.dir.path, n))));
        c.keptAfterShutdown = keptAs.some((b) => b.equals(c.bytes));
      } else if (c.before) {
        const now = await bytesOf(c.file);
        c.keptAfterShutdown = now.subarray(0, c.before.length).equals(c.before);
      } else {
        c.keptAfterShutdown = (await bytesOf(c.file)).equals(c.bytes);
      }
    }
    expect(JSON.parse(await readFile(file.report, 'utf8'))).toMatchObject({ reason: 'bad files: clean quit', exitCode: 0 });

    const reportedInUi = cases.filter((c) => c.ui.length > 0).length;
    const reportedInLog = cases.filter((c) => c.logged.length > 0).length;
    const kept = cases.filter((c) => c.keptAfterStart && c.keptAfterShutdown).length;
    writeFigures(
      'bad-files',
      `RELIABILITY bad_files ${cases.length} reported_ui ${reportedInUi} reported_log ${reportedInLog} kept ${kept} started yes`,
      {
        cases: cases.map((c) => ({
          name: c.name,
          ui: c.ui,
          log: c.logged.map((e) => e.msg),
          keptAfterStart: c.keptAfterStart,
          keptAfterShutdown: c.keptAfterShutdown,
        })),
      },
    );
    expect(cases.filter((c) => !c.keptAfterStart || !c.keptAfterShutdown).map((c) => c.name)).toEqual([]);
    expect(reportedInUi).toBe(cases.length);
    expect(reportedInLog).toBe(cases.length);
  }, 120_000);
});
