import { errorMessage } from '../../shared/errors';

/** A panel's code failed to arrive (a missing or unreachable chunk file), as opposed to a bug in the panel. */
export class PanelLoadError extends Error {
  constructor(
    readonly panel: string,
    cause: unknown,
    /** Lets the next load() fetch again (the error boundary's "Try again"). */
    readonly retry: () => void = () => undefined,
  ) {
    super(
      `The ${panel} panel could not be loaded (${errorMessage(cause)}). Reload the window (Ctrl+R); ` +
        'if that does not help, restart the studio: its files may have been rebuilt or moved while it was open.',
    );
    this.name = 'PanelLoadError';
  }
}

export interface PanelLoader<T> {
  /**
   * Starts loading (once) and returns the same promise from then on, a rejected one too: a render that meets the
   * failure must see that failure, not start another fetch. The PanelLoadError's retry() allows a new fetch.
   */
  load(): Promise<T>;
  /** The loaded value, or null while it has not arrived. */
  loaded(): T | null;
}

/** Loads a panel's module once, on demand, keeping its value for every later render. */
export function panelLoader<T>(panel: string, importer: () => Promise<T>): PanelLoader<T> {
  let value: { current: T } | null = null;
  let pending: Promise<T> | null = null;
  return {
    load() {
      if (value) return Promise.resolve(value.current);
      if (pending) return pending;
      const attempt: Promise<T> = importer().then(
        (loaded) => {
          value = { current: loaded };
          return loaded;
        },
        (err: unknown) => {
          throw new PanelLoadError(panel, err, () => {
            if (pending === attempt) pending = null;
          });
        },
      );
      pending = attempt;
      return attempt;
    },
    loaded: () => (value ? value.current : null),
  };
}
