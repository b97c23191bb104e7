import pino from 'pino';
import type { LogLevel } from '../../../shared/logs';
import { LogFile } from './log-file';
import { LogRing } from './log-ring';

export type Logger = pino.Logger;

export interface LogSinks {
  logger: Logger;
  ring: LogRing;
  /**
   * Closes the log file (the shutdown's last step): a studio that ends without exiting the process (tests, a host
   * that lets the event loop empty) must not hold the file open. Later lines reach the ring and stderr.
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
  // A write that fails (a full disk) must not become an uncaught exception: the ring and stderr go on.
  const onWriteError = (err: Error) =>
    process.stderr.write(
      `NPC Studio could not write its log file ${options.file} (${err.message}); the log panel still shows every line\n`,
    );
  const file = options.file ? new LogFile(options.file, onWriteError) : undefined;
  if (file) streams.push({ level, stream: file });
  if (options.stderr) streams.push({ level: 'info', stream: pino.destination(2) });
  const logger = pino({ level, base: undefined }, pino.multistream(streams));
  return {
    logger,
    ring,
    close: async () => file?.close(),
  };
}

/** A silent-to-disk logger whose ring tests can read. */
export function memoryLogger(level: LogLevel = 'debug'): LogSinks {
  return createLogger({ level });
}
