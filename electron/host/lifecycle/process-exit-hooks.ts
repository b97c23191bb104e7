import type { Logger } from '../log/logger';
import type { ShutdownCoordinator } from './shutdown-coordinator';
import { errorMessage } from '../../../shared/errors';
import { watchLaunchChain, type LaunchChainWatch, type WatchOptions } from './launch-chain';
import { SAME_REQUEST_WINDOW_MS, SignalRule } from './signal-rule';

export type ExitSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

export const FIRST_SIGNAL_NOTICE = 'Shutting down… press Ctrl-C again to force';

/** Where signals and crashes come from: the process, or a stand-in in tests. */
export type ProcessEvents = Pick<NodeJS.EventEmitter, 'on' | 'off'>;

export interface ExitHookOptions {
  coordinator: ShutdownCoordinator;
  logger: Logger;
  /** How the process ends; Electron passes app.exit, plain Node process.exit. */
  exit: (code: number) => void;
  signals?: ExitSignal[];
  /** After the coordinator's deadline, this much more before a forced exit 1 (a hung report or log flush). */
  forceExitGraceMs?: number;
  /** Milliseconds the coordinator may take (its own deadline by default); the force-exit timer is this plus the grace. */
  deadlineMs?: number;
  /** Signals within this many ms of the first are the same request (see signal-rule.ts). */
  sameRequestWindowMs?: number;
  /** Watch the wrappers that launched this process and shut down when one exits (default on; false in tests). */
  launchChain?: boolean | Omit<WatchOptions, 'onGone'>;
  /** Where the one-line notices for the person at the terminal go (stderr by default). */
  notify?: (line: string) => void;
  /** The process by default. */
  events?: ProcessEvents;
}

export interface ExitHooks {
  /** The Quit button's way out: the same shutdown, force-exit timer and exit as a signal's. */
  quit(reason: string): void;
  /** Whether a shutdown has started through these hooks. */
  readonly shuttingDown: boolean;
  /** The launch chain being watched (empty when none). */
  readonly launchChain: LaunchChainWatch;
  /** Removes every hook. */
  uninstall(): void;
}

function writeStderr(line: string): void {
  try {
    process.stderr.write(`${line}\n`);
  } catch {
    /* no terminal left to tell */
  }
}

/**
 * Routes SIGINT/SIGTERM/SIGHUP, the launcher's exit, uncaught exceptions and unhandled rejections to the one
 * shutdown path. Copies of the first signal relayed by the launch chain join it; a deliberate second signal
 * exits 1 at once. Every shutdown started here runs under a force-exit timer.
 */
export function installExitHooks(options: ExitHookOptions): ExitHooks {
  const { coordinator, logger, exit } = options;
  const deadlineMs = options.deadlineMs ?? coordinator.deadlineMs;
  const signals = options.signals ?? ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const notify = options.notify ?? writeStderr;
  const events: ProcessEvents = options.events ?? process;
  const rule = new SignalRule(options.sameRequestWindowMs ?? SAME_REQUEST_WINDOW_MS);
  let exited = false;
  const exitOnce = (code: number) => {
    if (exited) return;
    exited = true;
    exit(code);
  };

  let started = false;
  const shutDown = (reason: string, failed: boolean) => {
    if (started) return;
    started = true;
    watch.stop();
    // The timer starts before the work: the work itself may block. It bounds the report write and log flush too.
    const force = setTimeout(
      () => {
        logger.error(`Shutdown did not finish within ${deadlineMs} ms plus grace; forcing exit 1`);
        exitOnce(1);
      },
      deadlineMs + (options.forceExitGraceMs ?? 1000),
    );
    force.unref();
    coordinator.run(reason, { failed }).then(
      (report) => {
        clearTimeout(force);
        exitOnce(report.exitCode);
      },
      (err) => {
        clearTimeout(force);
        logger.fatal(`Shutdown itself failed: ${errorMessage(err)}`);
        exitOnce(1);
      },
    );
  };

  // Counted here, not read from the coordinator: a quit, a launcher exit or (in Electron) the shell's own
  // signal handler may already have started the shutdown; this signal then joins it and is the first one.
  const onSignal = (signal: ExitSignal) => {
    const verdict = rule.onSignal();
    if (verdict === 'copy') {
      logger.debug(`${signal} again within ${rule.windowMs} ms of the first: the same request, relayed by the launch chain`);
      return;
    }
    if (verdict === 'force') {
      logger.warn(`Second ${signal} while shutting down: exiting now with 1`);
      notify('Forced exit: the shutdown was not finished.');
      exitOnce(1);
      return;
    }
    logger.info(`Received ${signal}, shutting down...`);
    notify(FIRST_SIGNAL_NOTICE);
    shutDown(`signal ${signal}`, false);
  };
  const onUncaught = (err: unknown, origin: string) => {
    logger.fatal({ err }, `${origin === 'unhandledRejection' ? 'Unhandled rejection' : 'Uncaught exception'}: ${errorMessage(err)}`);
    if (!coordinator.isRunning) shutDown(origin, true);
  };
  const onRejection = (reason: unknown) => onUncaught(reason, 'unhandledRejection');
  const onLauncherGone = (why: string) => {
    if (started) return;
    logger.warn(`${why}: shutting down`);
    notify(`NPC Studio: ${why}; shutting down…`);
    shutDown('launcher exited', false);
  };

  const chainOptions = options.launchChain ?? true;
  const watch: LaunchChainWatch =
    chainOptions === false
      ? { chain: [], stop: () => undefined }
      : watchLaunchChain({ ...(chainOptions === true ? {} : chainOptions), onGone: onLauncherGone });
  if (watch.chain.length > 0) {
    logger.debug(`Watching the launch chain: ${watch.chain.map((a) => `${a.kind} (pid ${a.pid})`).join(' ← ')}`);
  }

  for (const s of signals) events.on(s, onSignal);
  events.on('uncaughtException', onUncaught);
  events.on('unhandledRejection', onRejection);
  return {
    quit: (reason) => shutDown(reason, false),
    get shuttingDown() {
      return started;
    },
    launchChain: watch,
    uninstall: () => {
      watch.stop();
      for (const s of signals) events.off(s, onSignal);
      events.off('uncaughtException', onUncaught);
      events.off('unhandledRejection', onRejection);
    },
  };
}
