/*
 * Journal (electron/host/fs/journal.ts), the append-only JSON-lines file behind transcripts and usage: every
 * acknowledged append is on disk, so close() fsyncs only what is not (a repair on open, an append whose fsync failed).
 */
import { open as openFile, readFile, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { Journal } from '../../electron/host/fs/journal';
import { tempDir } from '../support/temp-dir';

const recordSchema = z.object({ n: z.number().int() });

let dir: { path: string; remove: () => Promise<void> };
let file: string;
/** FileHandle.prototype.sync, counted: every fsync any journal makes. */
let syncs: ReturnType<typeof vi.spyOn>;

beforeEach(async () => {
  dir = await tempDir('npc-journal-');
  file = join(dir.path, 'j.jsonl');
  const probe: FileHandle = await openFile(join(dir.path, 'probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as FileHandle;
  await probe.close();
  syncs = vi.spyOn(proto, 'sync');
});

afterEach(async () => {
  syncs.mockRestore();
  await dir.remove();
});

describe('Journal', () => {
  it('fsyncs each append before it resolves, and adds no fsync on close', async () => {
    const { journal } = await Journal.open(file, recordSchema);
    await journal.append({ n: 1 });
    await journal.append({ n: 2 });
    expect(syncs).toHaveBeenCalledTimes(2);
    await journal.close();
    expect(syncs).toHaveBeenCalledTimes(2);
    expect(await readFile(file, 'utf8')).toBe('{"n":1}\n{"n":2}\n');
  });

  it('waits for a pending append on close, and writes it out whole', async () => {
    const { journal } = await Journal.open(file, recordSchema);
    const pending = journal.append({ n: 1 });
    await journal.close();
    await pending;
    expect(syncs).toHaveBeenCalledTimes(1);
    expect(await readFile(file, 'utf8')).toBe('{"n":1}\n');
  });

  it('fsyncs on close after an append whose fsync failed', async () => {
    const { journal } = await Journal.open(file, recordSchema);
    syncs.mockRejectedValueOnce(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
    await expect(journal.append({ n: 1 })).rejects.toThrow(/EIO/);
    await journal.close();
    expect(syncs).toHaveBeenCalledTimes(2);
  });

  it('fsyncs on close after repairing a torn last record on open', async () => {
    await writeFile(file, '{"n":1}\n{"n":');
    const { journal, records, problems } = await Journal.open(file, recordSchema);
    expect(records).toEqual([{ n: 1 }]);
    expect(problems).toMatchObject([{ dropped: true }]);
    await journal.close();
    expect(syncs).toHaveBeenCalledTimes(1);
    expect(await readFile(file, 'utf8')).toBe('{"n":1}\n');
  });

  it('fsyncs on close after ending a last record that lost its newline', async () => {
    await writeFile(file, '{"n":1}');
    const { journal } = await Journal.open(file, recordSchema);
    await journal.close();
    expect(syncs).toHaveBeenCalledTimes(1);
    expect(await readFile(file, 'utf8')).toBe('{"n":1}\n');
  });
});
