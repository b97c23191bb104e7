/*
 * JsonRecordFolder (electron/host/fs/json-record-folder.ts), the one-JSON-file-per-record folder behind the NPC,
 * lorebook and suite stores: bad files kept byte for byte and their ids refused, atomic writes, order, ids checked.
 */
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JsonRecordFolder, type RecordAction, type RecordFileProblem } from '../../electron/host/fs/json-record-folder';
import { memoryLogger } from '../../electron/host/log/logger';
import { tempDir } from '../support/temp-dir';

const recordSchema = z.object({ id: z.string(), name: z.string().min(1), size: z.number().int().nonnegative() });
type Rec = z.infer<typeof recordSchema>;

class Refused extends Error {
  constructor(
    readonly id: string,
    readonly problem: RecordFileProblem,
    readonly action: RecordAction,
  ) {
    super(`${action} refused for ${id}`);
  }
}
class Closed extends Error {}

let dir: { path: string; remove: () => Promise<void> };
let folderDir: string;
let logs: ReturnType<typeof memoryLogger>;

function makeFolder(): JsonRecordFolder<Rec> {
  return new JsonRecordFolder<Rec>({
    dir: folderDir,
    schema: recordSchema,
    idField: 'id',
    isValidId: (id) => /^[a-z0-9_-]{1,40}$/.test(id),
    invalidIdReason: 'the file name is not a valid test id',
    logger: logs.logger,
    keptMessage: 'Test record kept but not loaded',
    refusal: (id, problem, action) => new Refused(id, problem, action),
    closed: () => new Closed('closed'),
  });
}

const rec = (id: string, name = id, size = 1): Rec => ({ id, name, size });

beforeEach(async () => {
  dir = await tempDir('json-record-folder-');
  folderDir = join(dir.path, 'records');
  logs = memoryLogger();
});

afterEach(async () => {
  await dir.remove();
});

describe('JsonRecordFolder', () => {
  it('creates its folder on open and reads back what it wrote', async () => {
    const folder = makeFolder();
    expect(await folder.open()).toEqual({ loaded: 0, invalid: 0 });
    await folder.write('alpha', rec('alpha', 'Alpha', 3));
    expect(JSON.parse(await readFile(join(folderDir, 'alpha.json'), 'utf8'))).toEqual(rec('alpha', 'Alpha', 3));
    await folder.close();

    const again = makeFolder();
    expect(await again.open()).toEqual({ loaded: 1, invalid: 0 });
    expect(again.peek('alpha')).toEqual(rec('alpha', 'Alpha', 3));
  });

  it('keeps each bad file byte for byte, lists it with its field path, and refuses to save or delete its id', async () => {
    const first = makeFolder();
    await first.open();
    await first.write('good', rec('good'));
    await first.close();
    const bad: Record<string, Buffer> = {
      'broken.json': Buffer.from('{"id": "broken", "name": \u00e9\u0000 no newline', 'latin1'),
      'schema.json': Buffer.from('{ "id": "schema", "name": "", "size": -2 }\r\n'),
      'renamed.json': Buffer.from(JSON.stringify(rec('other'))),
      'Bad Name.json': Buffer.from(JSON.stringify(rec('x'))),
    };
    for (const [name, bytes] of Object.entries(bad)) await writeFile(join(folderDir, name), bytes);

    const folder = makeFolder();
    expect(await folder.open()).toEqual({ loaded: 1, invalid: 4 });
    expect(folder.problems()).toEqual([
      { file: join(folderDir, 'Bad Name.json'), id: 'Bad Name', reason: 'the file name is not a valid test id' },
      { file: join(folderDir, 'broken.json'), id: 'broken', fieldPath: undefined, reason: expect.stringMatching(/^not valid JSON/) },
      { file: join(folderDir, 'renamed.json'), id: 'renamed', fieldPath: 'id', reason: '"other" does not match the file name' },
      { file: join(folderDir, 'schema.json'), id: 'schema', fieldPath: 'name', reason: expect.any(String) },
    ]);
    expect(folder.has('schema')).toBe(false);
    expect(logs.ring.messages().filter((m) => m.includes('Test record kept but not loaded: '))).toHaveLength(4);

    const refusedSave = await folder.write('schema', rec('schema')).catch((e: unknown) => e);
    expect(refusedSave).toBeInstanceOf(Refused);
    expect(refusedSave).toMatchObject({ id: 'schema', action: 'save', problem: { fieldPath: 'name' } });
    await expect(folder.remove('renamed')).rejects.toMatchObject({ id: 'renamed', action: 'delete' });
    expect(() => folder.refuseDamaged('broken', 'save')).toThrow(Refused);
    expect(() => folder.refuseDamaged('good', 'save')).not.toThrow();

    for (const [name, bytes] of Object.entries(bad)) expect(await readFile(join(folderDir, name))).toEqual(bytes);
    expect(folder.describeProblems('test')).toBe(
      `4 test file(s) failed validation, e.g. ${join(folderDir, 'Bad Name.json')}:  the file name is not a valid test id`,
    );
    expect(folder.newId('Schema', 'x')).toMatch(/^schema-[0-9a-f]{6}$/);
  });

  it('writes through a temp file and a rename, and a failed write changes nothing in memory', async () => {
    const folder = makeFolder();
    await folder.open();
    await folder.write('alpha', rec('alpha', 'Alpha', 1));
    const file = join(folderDir, 'alpha.json');
    const before = await stat(file);
    await folder.write('alpha', rec('alpha', 'Alpha', 2));
    // A rename puts a new file (inode) in place; writing into the old file in place would keep the inode.
    expect((await stat(file)).ino).not.toBe(before.ino);
    expect(await readdir(folderDir)).toEqual(['alpha.json']);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(rec('alpha', 'Alpha', 2));

    await rm(folderDir, { recursive: true });
    await expect(folder.write('alpha', rec('alpha', 'Alpha', 3))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(folder.write('beta', rec('beta'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(folder.peek('alpha')).toEqual(rec('alpha', 'Alpha', 2));
    expect(folder.has('beta')).toBe(false);
  });

  it('lists records by id whatever order they were written in', async () => {
    const folder = makeFolder();
    await folder.open();
    for (const id of ['delta', 'alpha', 'charlie', 'bravo']) await folder.write(id, rec(id));
    expect(folder.values().map((r) => r.id)).toEqual(['alpha', 'bravo', 'charlie', 'delta']);
    await folder.remove('bravo');
    expect(folder.values().map((r) => r.id)).toEqual(['alpha', 'charlie', 'delta']);
    expect(await readdir(folderDir)).not.toContain('bravo.json');
    await folder.close();
    const again = makeFolder();
    await again.open();
    expect(again.values().map((r) => r.id)).toEqual(['alpha', 'charlie', 'delta']);
  });

  it('checks ids: no file outside the folder, whatever the id', async () => {
    const folder = makeFolder();
    await folder.open();
    for (const id of ['../escape', 'a/b', '', 'UPPER']) {
      expect(() => folder.fileOf(id)).toThrow(/not a valid record id/);
      await expect(folder.write(id, rec(id))).rejects.toThrow(/not a valid record id/);
      expect(await folder.fileExists(id)).toBe(false);
    }
    expect(await readdir(dir.path)).toEqual(['records']);
    expect(await readdir(folderDir)).toEqual([]);
  });

  it('refuses use before open and after close, and close waits for tracked work', async () => {
    const folder = makeFolder();
    expect(() => folder.values()).toThrow(Closed);
    await expect(folder.write('alpha', rec('alpha'))).rejects.toThrow(Closed);
    await folder.open();
    let finished = false;
    void folder.track(
      (async () => {
        await new Promise((r) => setTimeout(r, 20));
        await folder.write('late', rec('late'));
        finished = true;
      })(),
    );
    expect(folder.inFlight).toBe(1);
    expect(await folder.close()).toBe(1);
    expect(finished).toBe(true);
    expect(folder.isOpen).toBe(false);
    expect(() => folder.peek('late')).toThrow(Closed);
  });
});
