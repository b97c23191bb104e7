import type { Logger } from '../log/logger';
import type { ShutdownCoordinator } from './shutdown-coordinator';
import { errorMessage } from './timeout';

export type ExitSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

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
}

export interface ExitHooks {
  /** The Quit button's way out: the same shutdown, force-exit timer and exit as a signal's. */
  quit(reason: string): void;
  /** Removes every hook. */
  uninstall(): void;
}

/**
 * Routes SIGINT/SIGTERM/SIGHUP, uncaught exceptions and unhandled rejections to the one shutdown path.
 * A second signal while shutting down exits 1 at once.
 */
export function installExitHooks(options: ExitHookOptions): ExitHooks {
  const { coordinator, logger, exit } = options;
  const deadlineMs = options.deadlineMs ?? coordinator.deadlineMs;
  const signals = options.signals ?? ['SIGINT', 'SIGTERM', 'SIGHUP'];
  let exited = false;
  const exitOnce = (code: number) => {
    if (exited) return;
    exited = true;
    exit(code);
  };

  const shutDown = (reason: string, failed: boolean) => {
    const force = setTimeout(() => {
      logger.error(`Shutdown did not finish within ${deadlineMs} ms plus grace; forcing exit 1`);
      exitOnce(1);
    }, deadlineMs + (options.forceExitGraceMs ?? 1000));
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

  // Counted here, not read from the coordinator: in Electron the shell's own handler may already have
  // started the shutdown for this same first signal (app.quit → before-quit).
  let signalsSeen = 0;
  const onSignal = (signal: ExitSignal) => {
    if (++signalsSeen > 1) {
      logger.warn(`Second ${signal} while shutting down: exiting now with 1`);
      exitOnce(1);
      return;
    }
    logger.info(`Received ${signal}, shutting down...`);
    shutDown(`signal ${signal}`, false);
  };
  const onUncaught = (err: unknown, origin: string) => {
    logger.fatal({ err }, `${origin === 'unhandledRejection' ? 'Unhandled rejection' : 'Uncaught exception'}: ${errorMessage(err)}`);
    if (!coordinator.isRunning) shutDown(origin, true);
  };
  const onRejection = (reason: unknown) => onUncaught(reason, 'unhandledRejection');

  for (const s of signals) process.on(s, onSignal);
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onRejection);
  return {
    quit: (reason) => shutDown(reason, false),
    uninstall: () => {
      for (const s of signals) process.off(s, onSignal);
      process.off('uncaughtException', onUncaught);
      process.off('unhandledRejection', onRejection);
    },
  };
}
