import { readFileSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { z } from 'zod';
import { readJsonFile, writeJsonAtomic } from '../fs/json-file';
import type { Logger } from '../log/logger';
import { pidAlive } from '../resources/proc';

const pidFileSchema = z.object({ pid: z.number().int(), port: z.number().int(), dataDir: z.string(), startedAt: z.string() });
export type ServerPidRecord = z.infer<typeof pidFileSchema>;

/**
 * Records the server the studio spawned, next to its data. A host that died without closing (SIGKILL,
 * power loss) leaves the record behind; the next start stops that server, which is still ours.
 */
export class ServerPidFile {
  constructor(
    readonly file: string,
    private readonly logger: Logger,
  ) {}

  write(record: ServerPidRecord): Promise<void> {
    return writeJsonAtomic(this.file, record);
  }

  async remove(): Promise<void> {
    try {
      await unlink(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  /** Stops a server left running by an earlier run on the same data folder; returns its pid, if any. */
  async stopLeftover(dataDir: string, waitMs = 3000): Promise<number | null> {
    let record: ServerPidRecord | undefined;
    try {
      record = await readJsonFile(this.file, pidFileSchema);
    } catch (err) {
      this.logger.warn({ file: this.file, err: (err as Error).message }, 'ignoring an unreadable Chroma pid file');
    }
    await this.remove();
    if (!record || record.dataDir !== dataDir || !pidAlive(record.pid) || !isChromaFor(record.pid, dataDir)) return null;
    this.logger.warn({ pid: record.pid, port: record.port }, 'stopping a Chroma server left running by an earlier run');
    try {
      // The server leads its own process group: end it and anything it started.
      process.kill(process.platform === 'win32' ? record.pid : -record.pid, 'SIGKILL');
    } catch {
      try {
        process.kill(record.pid, 'SIGKILL');
      } catch {
        return null;
      }
    }
    const end = Date.now() + waitMs;
    while (pidAlive(record.pid) && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
    if (pidAlive(record.pid)) throw new Error(`a Chroma server left by an earlier run (pid ${record.pid}) did not stop`);
    return record.pid;
  }
}

/** Only a process whose command line runs the chromadb CLI on this very folder is ours to stop. */
function isChromaFor(pid: number, dataDir: string): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const at = argv.indexOf('--path');
    return argv.some((a) => a.endsWith('cli.mjs')) && at >= 0 && argv[at + 1] === dataDir;
  } catch {
    return false;
  }
}
