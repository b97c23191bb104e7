import type { ParseArgsOptionsConfig } from 'node:util';
import type { ExecutionEngine } from '../engine/execution-engine';
import type { Provider } from '../lifecycle/provider';
import type { Logger } from '../log/logger';
import type { NpcStore } from '../npc/npc-store';
import type { SuiteStore } from '../suites/suite-store';

/** Output of a command: stdout for results, stderr for what went wrong. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/** What a command works with: the data folder (locked for this run) and its stores, opened on first use. */
export interface CliContext extends CliIo {
  readonly dataDir: string;
  /** Aborted when a signal starts the shutdown. */
  readonly signal: AbortSignal;
  npcs(): Promise<NpcStore>;
  suites(): Promise<SuiteStore>;
  /** The run's engine: work on it is drained and aborted by a signal's shutdown. */
  readonly engine: ExecutionEngine;
  readonly logger: Logger;
  /** Initializes a provider and closes it with the others when the command ends. */
  register<P extends Provider>(provider: P): Promise<P>;
}

export interface CommandInput {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * One CLI command. Commands live one module per group (npc-commands.ts, …) and are listed in commands.ts;
 * the runner (run-cli.ts) parses options, takes the data-folder lock, opens stores and closes them.
 */
export interface CliCommand {
  /** The words that name it, e.g. ['npc', 'export']. */
  words: string[];
  /** Its arguments and options as the usage shows them, e.g. 'ID --format json --out FILE'. */
  synopsis: string;
  summary: string;
  /** Options besides --data-dir and --help (node:util parseArgs). */
  options: ParseArgsOptionsConfig;
  /** How many positional arguments it takes. */
  args: { min: number; max: number };
  /** The exit code: 0 done, 1 failed (say why on stderr first). */
  run(ctx: CliContext, input: CommandInput): Promise<number>;
  /** The data folder when --data-dir is not given, if not the app's (e.g. a fresh folder for a demo). */
  defaultDataDir?(input: CommandInput): string | undefined;
}

/** A usage mistake: the message and the usage go to stderr, exit 2. */
export class CliUsageError extends Error {
  constructor(
    message: string,
    readonly command?: CliCommand,
  ) {
    super(message);
    this.name = 'CliUsageError';
  }
}

/** A failure the user can act on (a bad file, an unknown id): one line on stderr, exit 1. */
export class CliFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliFailure';
  }
}
