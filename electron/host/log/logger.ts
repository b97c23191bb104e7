import pino from 'pino';
import { LogRing, type LogLevel } from './log-ring';

export type Logger = pino.Logger;

export interface LogSinks {
  logger: Logger;
  ring: LogRing;
  /** Writes out everything buffered for the log file (shutdown step 7). */
  flush(): Promise<void>;
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
  if (file) streams.push({ level, stream: file });
  if (options.stderr) streams.push({ level: 'info', stream: pino.destination(2) });
  const logger = pino({ level, base: undefined }, pino.multistream(streams));
  return {
    logger,
    ring,
    flush: () =>
      new Promise<void>((resolve) => {
        if (!file) return resolve();
        file.flush((err) => {
          if (err) process.stderr.write(`log flush failed: ${err.message}\n`);
          resolve();
        });
      }),
  };
}

/** A silent-to-disk logger whose ring tests can read. */
export function memoryLogger(level: LogLevel = 'debug'): LogSinks {
  return createLogger({ level });
}
