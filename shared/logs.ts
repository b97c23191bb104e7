/** Log levels as the host's pino logger names them, lowest first. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogLine {
  /** Epoch milliseconds. */
  time: number;
  level: LogLevel;
  msg: string;
  module?: string;
  fields: Record<string, unknown>;
}
