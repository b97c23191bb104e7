import pino from 'pino';
import type { LogLevel } from '../../../shared/logs';
import { LogRing } from './log-ring';

export type Logger = pino.Logger;

export interface LogSinks {
  logger: Logger;
  ring: LogRing;
  /** Writes out everything buffered for the log file. */
  flush(): Promise<void>;
  /**
   * Flushes and closes the log file (the shutdown's last step): a studio that ends without exiting the process
   * (tests, a host that lets the event loop empty) must not hold the file open. Later lines reach the ring and stderr.
   */
  close(): Promise<void>;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Log file; omitted in tests that only read the ring. */
  file?: string;
  /** Also print to stderr (the studio's own console). */
  stderr?: boolean;
  ringCapacity?: number;
}

export function createLogger(options: LoggerOptions = {}): LogSinks {
  const level = options.level ?? 'debug';
  const ring = new LogRing(options.ringCapacity);
  const streams: pino.StreamEntry[] = [{ level, stream: ring }];
  const file = options.file ? pino.destination({ dest: options.file, sync: false, mkdir: true }) : undefined;
  let fileOpen = file !== undefined;
  // A closed SonicBoom throws on write; lines after close() skip the file instead.
  if (file) streams.push({ level, stream: { write: (line: string) => void (fileOpen && file.write(line)) } });
  if (options.stderr) streams.push({ level: 'info', stream: pino.destination(2) });
  const logger = pino({ level, base: undefined }, pino.multistream(streams));
  const flush = () =>
    new Promise<void>((resolve) => {
      if (!file || !fileOpen) return resolve();
      file.flush((err) => {
        if (err) process.stderr.write(`log flush failed: ${err.message}\n`);
        resolve();
      });
    });
  const close = async () => {
    if (!file || !fileOpen) return;
    fileOpen = false;
    // end() writes out what is pending (flush() does not wait for async writes), then closes the file.
    await new Promise<void>((resolve) => {
      file.once('close', () => resolve());
      file.once('error', (err: Error) => {
        process.stderr.write(`log file close failed: ${err.message}\n`);
        resolve();
      });
      file.end();
    });
  };
  return { logger, ring, flush, close };
}

/** A silent-to-disk logger whose ring tests can read. */
export function memoryLogger(level: LogLevel = 'debug'): LogSinks {
  return createLogger({ level });
}
