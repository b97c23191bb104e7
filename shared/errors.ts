/** Errors as they cross IPC: a closed union the renderer can switch on. */

export interface IssueRef {
  /** Field path, e.g. "card.name" or "sampling.temperature". */
  path: string;
  message: string;
}

export type IpcError =
  | { code: 'ShuttingDown'; message: string }
  | { code: 'ValidationError'; message: string; issues: IssueRef[] }
  | { code: 'ProviderUnavailable'; message: string; hint: string; providerId?: string }
  | { code: 'NotFound'; message: string }
  /** The thing is busy with earlier work (e.g. a reply still streaming); try again once it is done. */
  | { code: 'Busy'; message: string }
  /** The sender is not a trusted frame of this studio (wrong origin, sub-frame). */
  | { code: 'Forbidden'; message: string }
  /** A request over the WebSocket frame limit (wire.ts MAX_FRAME_BYTES); the connection stays open. */
  | { code: 'PayloadTooLarge'; message: string; bytes: number; limitBytes: number }
  | { code: 'Internal'; message: string };

export type IpcErrorCode = IpcError['code'];

/** What every invoke resolves to (Electron's ipc mangles thrown errors, so errors travel as values). */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

/** Thrown on the renderer side when a call comes back with `ok: false`. */
export class StudioError extends Error {
  constructor(readonly error: IpcError) {
    super(error.message);
    this.name = 'StudioError';
  }

  get code(): IpcErrorCode {
    return this.error.code;
  }

  get hint(): string | undefined {
    return this.error.code === 'ProviderUnavailable' ? this.error.hint : undefined;
  }
}

/** Joins a zod-style path into "a.b[2].c". */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
}

/** The message of anything thrown (an Error's message, else the value as text). */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
