/*
 * One studio per data folder. The lock is the directory <dataDir>/studio.lock, made with proper-lockfile
 * (an atomic mkdir; its mtime refreshed every few seconds; a lock taken from under us reported as
 * compromised), with the holder written inside it as holder.json: pid, host, start time.
 *
 * When is a found lock stale (taken over at once)?
 * - same host: the holder's pid is gone, or now belongs to a process that started at another time;
 *   a live holder is never stale, however old its mtime (a busy or suspended machine);
 * - another host (a shared folder): its mtime was not refreshed for STALE_MS;
 * - no holder.json (a start killed between mkdir and the write): older than STALE_MS.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { mkdir, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import { processLiveness, processStartId } from './process-identity';

export const LOCK_DIR = 'studio.lock';
const HOLDER_FILE = 'holder.json';
/** A lock from another host (or a half-made one) older than this is stale. */
export const STALE_MS = 30_000;
/** How often the holder refreshes the lock's mtime. */
const UPDATE_MS = 5_000;
const ATTEMPTS = 5;

const holderSchema = z.object({
  pid: z.number().int(),
  host: z.string(),
  startedAt: z.string(),
  /** processStartId() of the holder: tells a reused pid from the holder. */
  processStart: z.string().nullable(),
  /** Which shell holds it: electron, web or cli. */
  app: z.string(),
  /** Tells this lock from a later one at the same path. */
  token: z.string(),
});
export type LockHolder = z.infer<typeof holderSchema>;

export class DataFolderLockedError extends Error {
  /** Exit code of a shell refused for this reason. */
  readonly exitCode = 2;
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | null,
    otherFolderHint: string,
  ) {
    super(
      `NPC Studio is already open on this data folder (${holder ? describeHolder(holder) : 'another process is opening it right now'}); ` +
        `close it first or ${otherFolderHint}. Data folder: ${dataDir}`,
    );
    this.name = 'DataFolderLockedError';
  }
}

/** "pid 1234 on host X, since 12:03" (a date is added when it is not today). */
export function describeHolder(holder: LockHolder, now = new Date()): string {
  const since = new Date(holder.startedAt);
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(since.getHours())}:${pad(since.getMinutes())}`;
  const sameDay = since.toDateString() === now.toDateString();
  const when = Number.isNaN(since.getTime())
    ? holder.startedAt
    : sameDay
      ? time
      : `${since.getFullYear()}-${pad(since.getMonth() + 1)}-${pad(since.getDate())} ${time}`;
  return `pid ${holder.pid} on host ${holder.host}, since ${when}`;
}

export interface LockOptions {
  /** Which shell takes it (electron, web, cli): written in the holder. */
  app: string;
  /** The end of the refusal message: how to open another folder in this shell. */
  otherFolderHint?: string;
  staleMs?: number;
  /** How often the lock's mtime is refreshed (proper-lockfile's minimum is 1 s). */
  updateMs?: number;
}

export interface DataFolderLock {
  readonly dataDir: string;
  readonly holder: LockHolder;
  /** Synchronous, so it can run right before process.exit. Idempotent. */
  release(): void;
  /** Called if the lock is taken from under this process (another host judged it stale, or it was deleted). */
  onLost(listener: (err: Error) => void): void;
}

/**
 * Directory removal that takes holder.json with it (proper-lockfile removes the lock with rmdir). The release at
 * quit (sync) finds only holder.json: unlink and rmdir, a tenth of rmSync's cost; anything else falls back to rm -r.
 */
const lockFs = {
  ...fs,
  rmdir: (path: string, callback: (err: NodeJS.ErrnoException | null) => void) => fs.rm(path, { recursive: true }, callback),
  rmdirSync: removeLockDirSync,
};

function removeLockDirSync(path: string): void {
  try {
    fs.unlinkSync(join(path, HOLDER_FILE));
    fs.rmdirSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !fs.existsSync(path)) throw err;
    fs.rmSync(path, { recursive: true });
  }
}

type Found = { state: 'free' } | { state: 'held'; holder: LockHolder | null } | { state: 'stale'; holder: LockHolder | null; why: string };

/**
 * Takes the data folder's lock before anything else touches the folder (it only creates the folder itself
 * when missing). Throws DataFolderLockedError naming the holder when another live studio has it.
 */
export async function lockDataFolder(dataDir: string, options: LockOptions): Promise<DataFolderLock> {
  const staleMs = options.staleMs ?? STALE_MS;
  const hint = options.otherFolderHint ?? 'use --data-dir';
  const lockDir = join(dataDir, LOCK_DIR);
  await mkdir(dataDir, { recursive: true });
  const lost: ((err: Error) => void)[] = [];
  let last: Found = { state: 'free' };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    last = await inspectLock(lockDir, staleMs);
    if (last.state === 'held') throw new DataFolderLockedError(dataDir, last.holder, hint);
    if (last.state === 'stale') await takeOver(lockDir, last.holder);
    try {
      // Released with unlockSync (below), which can run right before process.exit.
      await lockfile.lock(dataDir, {
        lockfilePath: lockDir,
        realpath: false,
        stale: staleMs,
        update: options.updateMs ?? UPDATE_MS,
        fs: lockFs,
        onCompromised: (err) => lost.forEach((listener) => listener(err)),
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ELOCKED') continue; // another start got there first: look again
      throw err;
    }
    const holder: LockHolder = {
      pid: process.pid,
      host: hostname(),
      startedAt: new Date().toISOString(),
      processStart: processStartId(process.pid),
      app: options.app,
      token: randomUUID(),
    };
    try {
      // proper-lockfile takes the lock as compromised when the directory's mtime is not the one it set; adding
      // holder.json changes it, so it is put back.
      const { atime, mtime } = await stat(lockDir);
      await writeFileAtomic(join(lockDir, HOLDER_FILE), JSON.stringify(holder, null, 2) + '\n');
      await utimes(lockDir, atime, mtime);
    } catch (err) {
      unlockQuietly(dataDir, lockDir);
      throw err;
    }
    let released = false;
    return {
      dataDir,
      holder,
      release: () => {
        if (released) return;
        released = true;
        unlockQuietly(dataDir, lockDir);
      },
      onLost: (listener) => lost.push(listener),
    };
  }
  throw new DataFolderLockedError(dataDir, last.state === 'free' ? null : last.holder, hint);
}

/** Who holds the folder's lock now, if anyone (null when free or unreadable). */
export async function readLockHolder(dataDir: string): Promise<LockHolder | null> {
  return readHolder(join(dataDir, LOCK_DIR));
}

function unlockQuietly(dataDir: string, lockDir: string): void {
  try {
    lockfile.unlockSync(dataDir, { lockfilePath: lockDir, realpath: false, fs: lockFs });
  } catch {
    // Not ours any more (compromised) or already gone: nothing of ours to remove.
  }
}

async function readHolder(lockDir: string): Promise<LockHolder | null> {
  try {
    const parsed = holderSchema.safeParse(JSON.parse(await readFile(join(lockDir, HOLDER_FILE), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

async function inspectLock(lockDir: string, staleMs: number): Promise<Found> {
  let mtimeMs: number;
  try {
    mtimeMs = (await stat(lockDir)).mtimeMs;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'free' };
    throw err;
  }
  const age = Date.now() - mtimeMs;
  const holder = await readHolder(lockDir);
  if (!holder) return age > staleMs ? { state: 'stale', holder, why: 'an unfinished lock' } : { state: 'held', holder };
  if (holder.host === hostname()) {
    const live = processLiveness(holder.pid, holder.processStart);
    return live.alive ? { state: 'held', holder } : { state: 'stale', holder, why: live.why };
  }
  return age > staleMs ? { state: 'stale', holder, why: `not refreshed for ${Math.round(age / 1000)} s` } : { state: 'held', holder };
}

/**
 * Moves the stale lock aside (one rename: of two starters, one wins), then checks it moved the lock it judged
 * stale; if a newer lock had taken its place meanwhile, that one is put back.
 */
async function takeOver(lockDir: string, judged: LockHolder | null): Promise<void> {
  const aside = `${lockDir}.stale-${process.pid}-${randomUUID().slice(0, 8)}`;
  try {
    await rename(lockDir, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const moved = await readHolder(aside);
  if (moved && moved.token !== judged?.token) {
    await rename(aside, lockDir).catch(() => undefined);
    return;
  }
  await rm(aside, { recursive: true, force: true });
}
