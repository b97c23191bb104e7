import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The studio's log file, written synchronously: a line is in the file (the OS's cache) when the call returns, so a
 * killed or crashed host loses none and the next start dates an unclean end by its true last line. A line costs a
 * few microseconds.
 *
 * Not pino.destination (SonicBoom): its close always fsyncs, which on a journalling file system is a commit of
 * 1-3 ms at every quit. Nothing here is buffered, so there is nothing for an fsync to protect but a power cut in
 * the seconds after a clean quit; the shutdown report, the record that matters then, is fsynced.
 */
export class LogFile {
  private fd: number | null;
  private failed = false;

  constructor(
    readonly path: string,
    /** Told once when a write fails (a full disk); the file is given up, the other sinks go on. */
    private readonly onWriteError: (err: Error) => void,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a', 0o600);
  }

  /** A pino stream: lines after close() or after a failed write skip the file. */
  write(line: string): void {
    if (this.fd === null || this.failed) return;
    try {
      const bytes = Buffer.from(line, 'utf8');
      // A regular file takes a whole write; the loop is for the rare short one (an interrupted call).
      for (let done = 0; done < bytes.length;) done += writeSync(this.fd, bytes, done);
    } catch (err) {
      this.failed = true;
      this.onWriteError(err as Error);
    }
  }

  /** Idempotent. */
  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    closeSync(fd);
  }
}
