/**
 * The decisions of Electron's quit path, in plain Node so they are tested here (electron/main.ts only wires
 * them). Every way out goes through the exit hooks, so it gets the same force-exit timer as a signal, and the
 * reason is kept: 'quit button', 'window-closed', 'signal SIGINT', 'app-quit' (Cmd-Q, the app menu, the dock).
 *
 * Electron's documented sequence: app.quit() emits before-quit (preventDefault cancels), then closes every
 * window (a window's 'close' preventDefault cancels), then will-quit (preventDefault cancels), then quit; it
 * does not emit window-all-closed. A user closing the last window emits window-all-closed instead. app.exit()
 * closes the windows and ends the process without any of these events. On POSIX Electron's own signal handlers
 * call app.quit() once.
 *
 * So: before-quit, will-quit and the window's close are held (preventDefault) until the shutdown is over,
 * then app.exit(code) ends the process; a guard lets them through once the exit is under way.
 */

export interface PreventableEvent {
  preventDefault(): void;
}

/** The part of Electron's `app` this module uses. */
export interface QuitApp {
  on(event: 'before-quit' | 'will-quit', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'window-all-closed', listener: () => void): unknown;
  exit(code: number): void;
}

/** What the exit hooks offer (installExitHooks). */
export interface QuitHooks {
  quit(reason: string): void;
}

/**
 * How long a quit Electron started by itself waits before it is named 'app-quit': Electron's own signal
 * handler calls app.quit() at about the moment the studio's signal listener runs, in either order, and the
 * signal's name is the better reason. Imperceptible for Cmd-Q.
 */
export const APP_QUIT_SETTLE_MS = 50;

export interface ElectronQuitOptions {
  app: QuitApp;
  settleMs?: number;
}

export class ElectronQuitPath {
  private hooks: QuitHooks | null = null;
  private pendingReason: string | null = null;
  private exiting = false;
  private readonly settleMs: number;

  constructor(private readonly options: ElectronQuitOptions) {
    this.settleMs = options.settleMs ?? APP_QUIT_SETTLE_MS;
    const { app } = options;
    app.on('before-quit', (event) => this.holdAppQuit(event));
    app.on('will-quit', (event) => this.holdAppQuit(event));
    // Only when the user closed the last window by some path the window's 'close' hold did not see.
    app.on('window-all-closed', () => this.request('window-closed'));
  }

  /** Connects the exit hooks; a quit asked for before this runs then. */
  attach(hooks: QuitHooks): void {
    this.hooks = hooks;
    const pending = this.pendingReason;
    this.pendingReason = null;
    if (pending) hooks.quit(pending);
  }

  /** The one way to ask for the shutdown: the Quit button ('quit button'), a window closing, Electron's quit. */
  request(reason: string): void {
    if (this.exiting) return;
    if (this.hooks) this.hooks.quit(reason);
    else this.pendingReason ??= reason;
  }

  /** For BrowserWindow 'close': the window stays (showing the quit overlay) until the shutdown is over. */
  readonly onWindowClose = (event: PreventableEvent): void => {
    if (this.exiting) return;
    event.preventDefault();
    this.request('window-closed');
  };

  /** The exit hooks' exit: app.exit emits no quit events, so this cannot loop back into before-quit. */
  readonly exit = (code: number): void => {
    if (this.exiting) return;
    this.exiting = true;
    setImmediate(() => this.options.app.exit(code));
  };

  get isExiting(): boolean {
    return this.exiting;
  }

  private holdAppQuit(event: PreventableEvent): void {
    if (this.exiting) return;
    event.preventDefault();
    setTimeout(() => this.request('app-quit'), this.settleMs).unref();
  }
}
