import { EventEmitter } from 'node:events';
import type { PreventableEvent, QuitApp } from '../../electron/host/lifecycle/electron-quit';

/**
 * A model of Electron's documented quit sequence (docs/api/app.md, browser-window.md), for testing the quit
 * path without the binary:
 * - app.quit(): 'before-quit' (preventDefault cancels) → each window's 'close' (preventDefault cancels) and
 *   'closed' → 'will-quit' (preventDefault cancels) → 'quit' → the process ends with 0. No 'window-all-closed'.
 * - a user closing the last window: 'close' → 'closed' → 'window-all-closed' if anyone listens, else app.quit().
 * - app.exit(code): windows closed without events, no quit events, the process ends with `code`.
 * - a POSIX signal: Electron's own handler calls app.quit() the first time and kills the process the next
 *   (SIG_DFL); Node's process listeners (the `processEvents` here) see it too, in the order given.
 */
export class FakeWindow extends EventEmitter {
  destroyed = false;

  constructor(private readonly app: FakeElectronApp) {
    super();
  }

  /** Emits 'close'; unless prevented, the window goes and 'closed' follows. Returns whether it closed. */
  close(): boolean {
    if (this.destroyed) return true;
    const event = new FakeEvent();
    this.emit('close', event);
    if (event.defaultPrevented) return false;
    this.destroy();
    return true;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.app.windows.delete(this);
    this.emit('closed');
  }
}

class FakeEvent implements PreventableEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

export type Ending = { how: 'quit' | 'exit'; code: number } | { how: 'killed'; signal: string };

export class FakeElectronApp extends EventEmitter implements QuitApp {
  readonly windows = new Set<FakeWindow>();
  /** Every app event in order, for asserting the sequence. */
  readonly log: string[] = [];
  /** Where Node's process.on('SIGINT') listeners live in this model. */
  readonly processEvents = new EventEmitter();
  ending: Ending | null = null;
  private signalsSeenByElectron = new Set<string>();

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (typeof event === 'string') this.log.push(event);
    return super.emit(event, ...args);
  }

  createWindow(): FakeWindow {
    const w = new FakeWindow(this);
    this.windows.add(w);
    return w;
  }

  quit(): void {
    if (this.ending) return;
    const before = new FakeEvent();
    this.emit('before-quit', before);
    if (before.defaultPrevented) return;
    for (const w of [...this.windows]) if (!w.close()) return;
    const will = new FakeEvent();
    this.emit('will-quit', will);
    if (will.defaultPrevented) return;
    this.emit('quit', 0);
    this.ending = { how: 'quit', code: 0 };
  }

  exit(code: number): void {
    if (this.ending) return;
    for (const w of [...this.windows]) w.destroy();
    this.ending = { how: 'exit', code };
  }

  /** The user clicks the window's close button. */
  userClosesWindow(w: FakeWindow): void {
    if (!w.close() || this.windows.size > 0) return;
    if (this.listenerCount('window-all-closed') > 0) this.emit('window-all-closed');
    else this.quit();
  }

  /** A signal arrives; `order` says who sees it first, Electron's native handler or Node's listeners. */
  signal(signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP', order: 'electron-first' | 'node-first' | 'node-only' = 'electron-first'): void {
    const electron = () => {
      if (this.signalsSeenByElectron.has(signal)) {
        this.ending ??= { how: 'killed', signal };
        return;
      }
      this.signalsSeenByElectron.add(signal);
      this.quit();
    };
    const node = () => this.processEvents.emit(signal, signal);
    if (order === 'electron-first') electron();
    node();
    if (order === 'node-first') electron();
  }
}
