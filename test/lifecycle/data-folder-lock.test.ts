/*
 * The data-folder lock (issue G item 3): who holds it, what a second start is told, and when a found lock is
 * stale (its process gone on this host, its pid reused, another host's lock not refreshed) and taken over.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DataFolderLockedError,
  LOCK_DIR,
  lockDataFolder,
  readLockHolder,
  type DataFolderLock,
  type LockHolder,
} from '../../electron/host/lifecycle/data-folder-lock';
import { processStartId } from '../../electron/host/lifecycle/process-identity';
import { spawnTs, waitForExit, waitForLine } from '../support/spawn-ts';
import { tempDir } from '../support/temp-dir';

const HOLDER = join(__dirname, 'fixtures', 'lock-holder.ts');
let dir: Awaited<ReturnType<typeof tempDir>>;
const held: DataFolderLock[] = [];

beforeEach(async () => {
  dir = await tempDir('npc-lock-');
});
afterEach(async () => {
  for (const lock of held.splice(0)) lock.release();
  await dir.remove();
});

async function lock(dataDir = dir.path): Promise<DataFolderLock> {
  const l = await lockDataFolder(dataDir, { app: 'test' });
  held.push(l);
  return l;
}

async function refusal(dataDir = dir.path): Promise<DataFolderLockedError> {
  const err = await lockDataFolder(dataDir, { app: 'test' }).then(
    (l) => {
      held.push(l);
      return null;
    },
    (e: unknown) => e,
  );
  if (!(err instanceof DataFolderLockedError)) throw new Error(`expected the lock to be refused, got ${String(err)}`);
  return err;
}

/** A lock left by someone else, as its files would be. */
async function plantLock(holder: Partial<LockHolder> | null, ageMs = 0): Promise<void> {
  const lockDir = join(dir.path, LOCK_DIR);
  await mkdir(lockDir, { recursive: true });
  if (holder) {
    const full: LockHolder = {
      pid: process.pid,
      host: hostname(),
      startedAt: new Date().toISOString(),
      processStart: null,
      app: 'test',
      token: 'planted',
      ...holder,
    };
    await writeFile(join(lockDir, 'holder.json'), JSON.stringify(full));
  }
  const t = new Date(Date.now() - ageMs);
  await utimes(lockDir, t, t);
}

describe('the data-folder lock', () => {
  it('records the holder: pid, host, start time, process start, shell', async () => {
    const before = Date.now();
    const l = await lock();
    const onDisk = JSON.parse(await readFile(join(dir.path, LOCK_DIR, 'holder.json'), 'utf8')) as LockHolder;
    expect(onDisk).toEqual(l.holder);
    expect(onDisk).toMatchObject({ pid: process.pid, host: hostname(), app: 'test' });
    expect(Date.parse(onDisk.startedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(onDisk.startedAt)).toBeLessThanOrEqual(Date.now());
    if (process.platform === 'linux') expect(onDisk.processStart).toBe(processStartId(process.pid));
    expect(await readLockHolder(dir.path)).toEqual(l.holder);
  });

  it('stays held while its holder lives: refreshing the lock does not find it compromised', async () => {
    const l = await lockDataFolder(dir.path, { app: 'test', updateMs: 1000 });
    held.push(l);
    const lost: Error[] = [];
    l.onLost((err) => lost.push(err));
    // Two refreshes (proper-lockfile compares the directory's mtime with the one it last set).
    await new Promise((r) => setTimeout(r, 2600));
    expect(lost.map((e) => e.message)).toEqual([]);
    expect(await readLockHolder(dir.path)).toEqual(l.holder);
  });

  it('refuses a second taker with exit code 2 and a message naming the holder; free again after release', async () => {
    const l = await lock();
    const err = await refusal();
    expect(err.exitCode).toBe(2);
    expect(err.holder).toEqual(l.holder);
    expect(err.message).toMatch(
      new RegExp(
        `^NPC Studio is already open on this data folder \\(pid ${process.pid} on host ${hostname()}, since \\d\\d:\\d\\d\\); ` +
          'close it first or use --data-dir',
      ),
    );
    l.release();
    expect(existsSync(join(dir.path, LOCK_DIR))).toBe(false);
    const again = await lock();
    expect(again.holder.token).not.toBe(l.holder.token);
  });

  it('release removes the lock folder also when it holds more than holder.json (a temp file a crash left)', async () => {
    const l = await lock();
    await writeFile(join(dir.path, LOCK_DIR, 'holder.json.1234'), 'partial');
    l.release();
    expect(existsSync(join(dir.path, LOCK_DIR))).toBe(false);
    await lock();
  });

  it('takes over at once the lock of a holder killed with SIGKILL', async () => {
    const child = spawnTs(HOLDER, [dir.path]);
    const theirs = await waitForLine<LockHolder>(child, 'LOCKED ', 60_000);
    expect(theirs.pid).toBe(child.pid);
    expect((await refusal()).holder?.pid).toBe(child.pid);
    child.kill('SIGKILL');
    await waitForExit(child);
    const t0 = performance.now();
    const mine = await lock();
    // No waiting for the lock to age: the dead pid is enough.
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(mine.holder.pid).toBe(process.pid);
  }, 90_000);

  it('refuses in a second process too, which exits 2', async () => {
    await lock();
    const child = spawnTs(HOLDER, [dir.path]);
    const message = await waitForLine<string>(child, 'REFUSED ', 60_000);
    expect(message).toContain(`pid ${process.pid} on host ${hostname()}`);
    expect((await waitForExit(child)).code).toBe(2);
  }, 90_000);

  it('keeps a live holder on this host however old its lock looks', async () => {
    await plantLock({ pid: process.ppid, processStart: processStartId(process.ppid) }, 10 * 60_000);
    expect((await refusal()).holder?.pid).toBe(process.ppid);
  });

  it.runIf(process.platform !== 'win32')(
    'takes over a lock whose pid now belongs to another process (started at another time)',
    async () => {
      await plantLock({ pid: process.ppid, processStart: 'another-boot:12345' });
      expect((await lock()).holder.pid).toBe(process.pid);
    },
  );

  it("waits for another host's lock to age, then takes it over", async () => {
    await plantLock({ host: 'other-host.example', pid: 1 });
    expect((await refusal()).message).toContain('on host other-host.example');
    await plantLock({ host: 'other-host.example', pid: 1 }, 5 * 60_000);
    expect((await lock()).holder.host).toBe(hostname());
  });

  it('treats a lock without a holder as being taken right now, and as stale once old', async () => {
    await plantLock(null);
    expect((await refusal()).message).toContain('another process is opening it right now');
    await plantLock(null, 5 * 60_000);
    expect((await lock()).holder.pid).toBe(process.pid);
  });
});
