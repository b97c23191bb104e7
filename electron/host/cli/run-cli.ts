/*
 * The CLI runner: finds the command, parses its options strictly, takes the data-folder lock (exit 2 when a
 * studio holds it), opens what the command asks for as providers, and closes them through the same shutdown
 * coordinator and exit hooks as the studio, so Ctrl-C during a command ends it the same way.
 */
import { join, resolve } from 'node:path';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { ExecutionEngine } from '../engine/execution-engine';
import { ShuttingDownError } from '../engine/errors';
import { DataFolderLockedError, lockDataFolder } from '../lifecycle/data-folder-lock';
import { installExitHooks } from '../lifecycle/process-exit-hooks';
import { ProviderRegistry } from '../lifecycle/provider-registry';
import { ShutdownCoordinator } from '../lifecycle/shutdown-coordinator';
import { ShutdownReportStore } from '../lifecycle/shutdown-report';
import { createLogger } from '../log/logger';
import { NpcStore } from '../npc/npc-store';
import type { Provider } from '../lifecycle/provider';
import { suiteCharxAppData } from '../suites/suite-app-data';
import { SuiteStore } from '../suites/suite-store';
import { dataPaths, defaultDataDir } from '../studio-paths';
import { CliFailure, CliUsageError, type CliCommand, type CliContext, type CliIo, type CommandInput } from './command';
import { COMMANDS } from './commands';

const GLOBAL_OPTIONS = {
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export interface RunCliOptions {
  /** How a signal's shutdown ends the process (process.exit by default). */
  exit?: (code: number) => void;
  commands?: CliCommand[];
}

/** The usage text: every command, or one command's line. */
export function usage(commands: CliCommand[] = COMMANDS, only?: CliCommand): string {
  const shown = only ? [only] : commands;
  const lines = shown.map((c) => [`  ${[...c.words, c.synopsis].join(' ')}`, c.summary] as const);
  const width = Math.max(...lines.map(([l]) => l.length)) + 2;
  return [
    'Usage: npm run cli -- <command> [--data-dir DIR]',
    only ? '' : 'Commands:',
    ...lines.map(([l, s]) => `${l.padEnd(width)}${s}`),
    `Every command takes --data-dir DIR (default: ${defaultDataDir()}).`,
    'Exit codes: 0 done, 1 failed, 2 usage error or the data folder is open in NPC Studio.',
  ]
    .filter((l) => l !== '')
    .join('\n');
}

interface Parsed {
  command: CliCommand | null;
  help: boolean;
  dataDir?: string;
  input: CommandInput;
}

/** The command is the longest run of leading words that names one; the rest is parsed strictly for it. */
function parse(argv: string[], commands: CliCommand[]): Parsed {
  const loose = parseArgs({ args: argv, options: GLOBAL_OPTIONS, strict: false, allowPositionals: true, tokens: true });
  const words = loose.tokens.filter((t) => t.kind === 'positional');
  const command =
    [...commands].sort((a, b) => b.words.length - a.words.length).find((c) => c.words.every((w, i) => words[i]?.value === w)) ?? null;
  if (!command) {
    if (loose.values.help && words.length === 0) return { command: null, help: true, input: { values: {}, positionals: [] } };
    const named = words.map((w) => w.value).join(' ');
    throw new CliUsageError(named ? `unknown command "${named}"` : 'no command given');
  }
  const skip = new Set(words.slice(0, command.words.length).map((t) => t.index));
  const rest = argv.filter((_, i) => !skip.has(i));
  let strict: ReturnType<typeof parseArgs>;
  try {
    strict = parseArgs({ args: rest, options: { ...GLOBAL_OPTIONS, ...command.options }, strict: true, allowPositionals: true });
  } catch (err) {
    // node's own message, without its advice on positionals that start with "-".
    throw new CliUsageError((err as Error).message.split('. To specify')[0]!, command);
  }
  const { 'data-dir': dataDir, help, ...values } = strict.values as Record<string, string | boolean | undefined>;
  const positionals = strict.positionals;
  if (!help && (positionals.length < command.args.min || positionals.length > command.args.max)) {
    const extra = positionals.length > command.args.max;
    throw new CliUsageError(extra ? `unexpected argument "${positionals[command.args.max]}"` : 'missing argument', command);
  }
  if (dataDir === '' || dataDir === true) throw new CliUsageError('--data-dir needs a folder', command);
  return {
    command,
    help: help === true,
    ...(typeof dataDir === 'string' ? { dataDir: resolve(dataDir) } : {}),
    input: { values, positionals },
  };
}

/** A CLI run writes no shutdown report: shutdown-report.json tells of the studio's own last run. */
class NoReport extends ShutdownReportStore {
  override async write(): Promise<void> {}
}

export async function runCli(argv: string[], io: CliIo, options: RunCliOptions = {}): Promise<number> {
  const commands = options.commands ?? COMMANDS;
  let parsed: Parsed;
  try {
    parsed = parse(argv, commands);
  } catch (err) {
    if (!(err instanceof CliUsageError)) throw err;
    io.err(`${err.message}\n${usage(commands, err.command)}`);
    return EXIT.usage;
  }
  const { command } = parsed;
  if (parsed.help || !command) {
    io.out(usage(commands, command ?? undefined));
    return EXIT.ok;
  }
  const name = command.words.join(' ');
  const dataDir = parsed.dataDir ?? command.defaultDataDir?.(parsed.input) ?? defaultDataDir();

  let lock;
  try {
    lock = await lockDataFolder(dataDir, { app: 'cli' });
  } catch (err) {
    io.err(
      err instanceof DataFolderLockedError ? err.message : `${name}: cannot open the data folder ${dataDir}: ${(err as Error).message}`,
    );
    return err instanceof DataFolderLockedError ? err.exitCode : EXIT.failed;
  }
  const paths = dataPaths(dataDir);
  const logs = createLogger({ file: join(dataDir, 'logs', 'cli.log'), level: 'info' });
  const logger = logs.logger;
  const registry = new ProviderRegistry({ logger });
  const engine = new ExecutionEngine({ logger });
  const coordinator = new ShutdownCoordinator({ registry, intake: engine, logger, reports: new NoReport(dataDir), flushLogs: logs.close });
  coordinator.events.on('progress', (p) => p.type === 'done' && lock.release());
  const hooks = installExitHooks({ coordinator, logger, exit: options.exit ?? ((code) => process.exit(code)) });

  let npcs: Promise<NpcStore> | null = null;
  let suites: Promise<SuiteStore> | null = null;
  const open = async <P extends Provider>(provider: P): Promise<P> => {
    await registry.register(provider);
    return provider;
  };
  const openSuites = () => (suites ??= open(new SuiteStore({ dir: paths.suites, logger })));
  // CHARX import and export carry the NPC's test suite: the suite store opens first.
  const openNpcs = async () => open(new NpcStore({ dir: paths.npcs, logger, charxAppData: suiteCharxAppData(await openSuites()) }));
  let code: number;
  try {
    logger.info({ argv }, `cli ${name}`);
    code = await engine.run(`cli ${name}`, (signal) => {
      const ctx: CliContext = {
        ...io,
        dataDir,
        signal,
        logger,
        engine,
        register: open,
        suites: openSuites,
        npcs: () => (npcs ??= openNpcs()),
      };
      return command.run(ctx, parsed.input);
    });
  } catch (err) {
    code = failure(err, name, command, io, commands);
    if (!(err instanceof CliUsageError || err instanceof CliFailure)) logger.error({ err }, `cli ${name} failed`);
  }
  const report = await coordinator.run(`cli ${name} finished`);
  hooks.uninstall();
  lock.release();
  return code === EXIT.ok && report.exitCode !== 0 ? EXIT.failed : code;
}

/** One line on stderr (the usage too for a usage error), never a stack trace. */
function failure(err: unknown, name: string, command: CliCommand, io: CliIo, commands: CliCommand[]): number {
  if (err instanceof CliUsageError) {
    io.err(`${err.message}\n${usage(commands, err.command ?? command)}`);
    return EXIT.usage;
  }
  if (err instanceof ShuttingDownError) {
    io.err(`${name}: interrupted`);
    return EXIT.failed;
  }
  io.err(`${name}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  return EXIT.failed;
}
