/*
 * The lorebook commands of the CLI as real processes: import (cards and lorebooks, one JSON line per file,
 * exit 1 when any file is refused), lorebook list / export, lore trace; exit codes 0/1/2 and one-line errors.
 */
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../electron/host/log/logger';
import { NpcStore } from '../../electron/host/npc/npc-store';
import { expectOneLineNoStack, runCli } from '../support/run-process';
import { tempDir } from '../support/temp-dir';

const HARBOR = new URL('../lore/fixtures/harbor-world-info.json', import.meta.url).pathname;
const HARBOR_TEXT = readFileSync(HARBOR, 'utf8');
let dir: Awaited<ReturnType<typeof tempDir>>;
let dataDir: string;

const cli = (...args: string[]) => runCli(...args, '--data-dir', dataDir);

const jsonLines = <T>(stdout: string): T[] =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as T);

interface ImportLine {
  file: string;
  kind: string;
  id: string | null;
  name: string | null;
  problems: string[];
}
let harborId: string;
let liaId: string;

beforeAll(async () => {
  dir = await tempDir('npc-lore-cli-');
  dataDir = join(dir.path, 'studio');
  await writeFile(join(dir.path, 'Harbor.json'), HARBOR_TEXT);
  const card = {
    spec: 'chara_card_v2',
    spec_version: '2.0',
    data: { name: 'Lia', description: 'A dock hand.', extensions: { world: 'Harbor' } },
  };
  await writeFile(join(dir.path, 'lia.json'), JSON.stringify(card));
  await writeFile(join(dir.path, 'deep.json'), JSON.stringify({ entries: { '0': { uid: 0, key: ['x'], content: 'x', scanDepth: 5000 } } }));
});
afterAll(async () => {
  await dir?.remove();
});

describe('npm run cli: lorebooks', () => {
  it('imports a world book and a card in one run, one JSON line per file; a refused file makes it exit 1 with its reason', async () => {
    const r = await cli('import', join(dir.path, 'Harbor.json'), join(dir.path, 'deep.json'), join(dir.path, 'lia.json'), '--json');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const [harbor, deep, lia] = jsonLines<ImportLine>(r.stdout);
    expect(harbor).toMatchObject({ kind: 'lorebook', name: 'Harbor', problems: [], imported: true });
    expect(deep).toMatchObject({
      kind: 'lorebook',
      id: null,
      imported: false,
      problems: ['entries.0.scanDepth: scan depth may be at most 1000 messages'],
    });
    // Imported after the world book it names: linked, nothing to warn about.
    expect(lia).toMatchObject({ kind: 'npc', name: 'Lia', imported: true, problems: [] });
    harborId = harbor!.id!;
    liaId = lia!.id!;

    const orphan = join(dir.path, 'orphan.json');
    await writeFile(
      orphan,
      JSON.stringify({ spec: 'chara_card_v2', spec_version: '2.0', data: { name: 'Orphan', extensions: { world: 'Nowhere' } } }),
    );
    const warned = await cli('import', orphan, '--json');
    expect(warned.code).toBe(0);
    expect(jsonLines<ImportLine>(warned.stdout)[0]!.problems).toEqual([
      'the card names the world "Nowhere", and no lorebook has that name yet; import that World Info file to link it',
    ]);

    const text = await cli('import', join(dir.path, 'deep.json'));
    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(/^import: .*deep\.json: refused: entries\.0\.scanDepth: scan depth may be at most 1000 messages\n$/);
  }, 60_000);

  it('lists lorebooks with the NPCs that use them, and exports both formats (st is the imported file)', async () => {
    const list = await cli('lorebook', 'list', '--json');
    expect(list).toMatchObject({ code: 0, stderr: '' });
    expect(jsonLines(list.stdout)).toEqual([
      expect.objectContaining({
        id: harborId,
        name: 'Harbor',
        entries: 6,
        source: 'world_info',
        npcs: [{ id: liaId, name: 'Lia', how: 'linked' }],
      }),
    ]);

    const st = join(dir.path, 'out.json');
    const r = await cli('lorebook', 'export', harborId, '--format', 'st', '--out', st);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain(`Exported Harbor (${harborId}) to ${st}`);
    expect(JSON.parse(await readFile(st, 'utf8'))).toEqual(JSON.parse(HARBOR_TEXT));
    const v3 = join(dir.path, 'out.v3.json');
    expect((await cli('lorebook', 'export', harborId, '--format', 'v3', '--out', v3)).code).toBe(0);
    expect(JSON.parse(await readFile(v3, 'utf8'))).toMatchObject({ spec: 'lorebook_v3', data: { entries: expect.any(Array) } });
  }, 60_000);

  it('traces which entries would fire for a message, with the lorebook, reason and what matched', async () => {
    const history = join(dir.path, 'history.json');
    await writeFile(
      history,
      JSON.stringify([
        { role: 'user', content: 'I owe Varn money.' },
        { role: 'assistant', content: 'Then pay him.' },
      ]),
    );
    const r = await cli(
      'lore',
      'trace',
      liaId,
      '--message',
      'Any contraband at pier 9? Varn asked about the debt.',
      '--history',
      history,
      '--json',
    );
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const report = JSON.parse(r.stdout) as { activated: Record<string, unknown>[]; skipped: Record<string, unknown>[] };
    const fired = Object.fromEntries(report.activated.map((a) => [a.comment, a]));
    expect(fired['Tone (always on)']).toMatchObject({ lorebook: 'Harbor', reason: 'constant', matched: null });
    expect(fired['Emberfall harbor']).toMatchObject({
      lorebook: 'Harbor',
      reason: 'key',
      keys: ['harbor', 'docks', '/\\bpier\\s*\\d+\\b/i'],
      matched: { key: '/\\bpier\\s*\\d+\\b/i', secondaryKey: 'contraband', in: 'message 3 (user)' },
    });
    // AND ALL: "debt" is in the message, "money" two messages back (inside his own scan depth of 6), so the keys
    // pass; then his 65% chance is rolled (the roll depends on the lorebook's id, which is random here).
    const varn = fired['Varn the moneylender'] ?? report.skipped.find((s) => s.comment === 'Varn the moneylender');
    expect(varn).toMatchObject(
      varn?.reason === 'key'
        ? { matched: { key: 'Varn' } }
        : { reason: 'probability_failed', detail: expect.stringMatching(/^probability 65%/) },
    );
    for (const a of report.activated) expect(['key', 'constant', 'recursion', 'decorator']).toContain(a.reason);
    expect(report.skipped.find((s) => s.entry === '3')).toMatchObject({ reason: 'disabled' });

    const text = await cli('lore', 'trace', liaId, '--message', 'pier 9 contraband');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^fired\tHarbor \/ Emberfall harbor\tkey: key "\/\\bpier\\s\*\\d\+\\b\/i" in message 1 \(user\)$/m);
  }, 60_000);

  it('exits 2 with the usage for a usage mistake, 1 with one line for an unknown id or a bad history file', async () => {
    for (const args of [
      ['lorebook', 'export', 'x', '--out', 'x.json'],
      ['lorebook', 'export', 'x', '--format', 'csv', '--out', 'x.json'],
      ['lore', 'trace', 'x'],
      ['lore', 'trace', 'x', '--message', 'hi', '--seed', 'many'],
      ['import'],
    ]) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toContain('Usage: npm run cli -- ');
    }
    const unknown = await cli('lorebook', 'export', 'nope', '--format', 'st', '--out', join(dir.path, 'n.json'));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^lorebook export: no lorebook with id "nope"/);
    expectOneLineNoStack(unknown.stderr);
    const nobody = await cli('lore', 'trace', 'nobody', '--message', 'hi');
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toMatch(/^lore trace: no NPC with id "nobody"/);
    expectOneLineNoStack(nobody.stderr);
    const bad = join(dir.path, 'bad-history.json');
    await writeFile(bad, '[{"role": "narrator"}]');
    const history = await cli('lore', 'trace', liaId, '--message', 'hi', '--history', bad);
    expect(history.code).toBe(1);
    expect(history.stderr).toMatch(/^lore trace: the history file .*bad-history\.json: message 1 needs "role"/);
    expectOneLineNoStack(history.stderr);
  }, 120_000);
});

describe('lore trace on an attached book', () => {
  it('reports the attached book of an NPC set up by the app', async () => {
    const npcs = new NpcStore({ dir: join(dataDir, 'npcs'), logger: memoryLogger().logger });
    await npcs.initialize();
    const tomas = await npcs.save({
      card: { name: 'Tomas' },
      studio: { processor: 'local', model: 'm', sampling: {}, lorebooks: [harborId] },
    });
    await npcs.cleanup();
    const r = await cli('lore', 'trace', tomas.id, '--message', 'the docks are full of contraband', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { activated: { lorebook: string; comment?: string; reason: string }[] };
    expect(report.activated.map((a) => [a.lorebook, a.comment, a.reason])).toContainEqual(['Harbor', 'Emberfall harbor', 'key']);
  }, 60_000);
});
