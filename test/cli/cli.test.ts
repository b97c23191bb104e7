/*
 * The CLI (electron/cli.ts) as a real process: exit codes (0 done, 1 failed, 2 usage or folder in use), usage on
 * stderr, one line for a failure and never a stack trace, npc list / npc export on a data folder, and the same
 * data-folder lock as the app.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockDataFolder } from '../../electron/host/lifecycle/data-folder-lock';
import { memoryLogger } from '../../electron/host/log/logger';
import { NpcStore } from '../../electron/host/npc/npc-store';
import { expectOneLineNoStack, runCli as cli } from '../support/run-process';
import { tempDir } from '../support/temp-dir';

let dir: Awaited<ReturnType<typeof tempDir>>;
let dataDir: string;
let maraId: string;

beforeAll(async () => {
  dir = await tempDir('npc-cli-');
  dataDir = join(dir.path, 'studio');
  const npcs = new NpcStore({ dir: join(dataDir, 'npcs'), logger: memoryLogger().logger });
  await npcs.initialize();
  maraId = (
    await npcs.save({
      card: { name: 'Mara', description: 'The harbor master.', first_mes: 'Welcome.' },
      studio: { processor: 'local', model: 'llama3.2' },
    })
  ).id;
  await npcs.save({ card: { name: 'Quill' }, studio: { processor: 'hosted', model: 'claude' } });
  await npcs.cleanup();
});

afterAll(async () => {
  await dir?.remove();
});

describe('npm run cli', () => {
  it('lists NPCs, as text and as one JSON object per line', async () => {
    const text = await cli('npc', 'list', '--data-dir', dataDir);
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout).toMatch(new RegExp(`^${maraId}\\tMara\\tlocal/llama3.2\\t`, 'm'));
    const json = await cli('--data-dir', dataDir, 'npc', 'list', '--json');
    expect(json.code).toBe(0);
    const rows = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; name: string });
    expect(rows.map((r) => r.name)).toEqual(['Mara', 'Quill']);
  }, 60_000);

  it('exports an NPC as a Character Card V2 JSON file', async () => {
    const out = join(dir.path, 'mara.json');
    const r = await cli('npc', 'export', maraId, '--format', 'json', '--out', out, '--data-dir', dataDir);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain(`Exported Mara (${maraId}) to ${out}`);
    const card = JSON.parse(await readFile(out, 'utf8')) as { spec: string; data: { name: string; description: string } };
    expect(card).toMatchObject({ spec: 'chara_card_v2', data: { name: 'Mara', description: 'The harbor master.' } });
  }, 60_000);

  it('exits 2 with the usage on stderr for an unknown command, a bad option or a missing argument', async () => {
    for (const args of [
      ['bogus'],
      [],
      ['npc', 'list', '--jsn'],
      ['npc', 'export', '--format', 'json', '--out', 'x.json'],
      ['npc', 'export', maraId, '--format', 'xml', '--out', 'x'],
    ]) {
      const r = await cli(...args, '--data-dir', dataDir);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout, args.join(' ')).toBe('');
      expect(r.stderr, args.join(' ')).toContain('Usage: npm run cli -- ');
      expect(r.stderr).not.toMatch(/^\s+at /m);
    }
    expect((await cli('bogus')).stderr).toMatch(/^unknown command "bogus"/);
    expect((await cli('npc', 'list', '--jsn')).stderr).toMatch(/^Unknown option '--jsn'\n/);
  }, 120_000);

  it('exits 1 with one line, never a stack trace, for an unknown NPC, an unwritable file or a broken data folder', async () => {
    const unknown = await cli('npc', 'export', 'nobody', '--format', 'json', '--out', join(dir.path, 'x.json'), '--data-dir', dataDir);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^npc export: no NPC with id "nobody"/);
    expectOneLineNoStack(unknown.stderr);

    const unwritable = await cli(
      'npc',
      'export',
      maraId,
      '--format',
      'json',
      '--out',
      join(dir.path, 'no', 'such', 'folder', 'x.json'),
      '--data-dir',
      dataDir,
    );
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toMatch(/^npc export: cannot write .*x\.json: ENOENT/);
    expectOneLineNoStack(unwritable.stderr);

    const broken = join(dir.path, 'broken');
    await mkdir(broken, { recursive: true });
    await writeFile(join(broken, 'npcs'), 'a file where the NPC folder should be');
    const r = await cli('npc', 'list', '--data-dir', broken);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^npc list: /);
    expectOneLineNoStack(r.stderr);
  }, 120_000);

  it('is refused with exit 2, naming the holder, while a studio holds the folder; frees the folder when done', async () => {
    const lock = await lockDataFolder(dataDir, { app: 'test' });
    try {
      const r = await cli('npc', 'list', '--data-dir', dataDir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        new RegExp(
          `^NPC Studio is already open on this data folder \\(pid ${process.pid} on host ${hostname()}, since \\d\\d:\\d\\d\\); ` +
            'close it first or use --data-dir',
        ),
      );
      expectOneLineNoStack(r.stderr);
    } finally {
      lock.release();
    }
    expect((await cli('npc', 'list', '--data-dir', dataDir)).code).toBe(0);
    expect(existsSync(join(dataDir, 'studio.lock'))).toBe(false);
  }, 60_000);
});
