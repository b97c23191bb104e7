import { EventEmitter } from 'node:events';
import { LOG_LEVELS, type LogLevel, type LogLine } from '../../../shared/logs';

const PINO_LEVELS: Record<number, LogLevel> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** A pino destination that keeps the last `capacity` entries in memory for the log panel and tests. */
export class LogRing {
  private readonly entries: LogLine[] = [];
  private readonly events = new EventEmitter();

  constructor(private readonly capacity = 2000) {}

  write(line: string): void {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    const { time, level, msg, module, pid: _pid, hostname: _host, ...fields } = parsed;
    const entry: LogLine = {
      time: typeof time === 'number' ? time : Date.now(),
      level: PINO_LEVELS[Number(level)] ?? 'info',
      msg: typeof msg === 'string' ? msg : '',
      module: typeof module === 'string' ? module : undefined,
      fields,
    };
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.shift();
    this.events.emit('entry', entry);
  }

  tail(limit = 200, minLevel: LogLevel = 'trace'): LogLine[] {
    const min = LOG_LEVELS.indexOf(minLevel);
    return this.entries.filter((e) => LOG_LEVELS.indexOf(e.level) >= min).slice(-limit);
  }

  messages(): string[] {
    return this.entries.map((e) => `${e.level.toUpperCase()} ${e.msg}`);
  }

  subscribe(listener: (entry: LogLine) => void): () => void {
    this.events.on('entry', listener);
    return () => this.events.off('entry', listener);
  }
}
