/** Thrown for any request that arrives once shutdown has begun; the router maps it to the `ShuttingDown` IPC error. */
export class ShuttingDownError extends Error {
  readonly code = 'ShuttingDown';
  constructor(what = 'request') {
    super(`The studio is shutting down; the ${what} was not started`);
    this.name = 'ShuttingDownError';
  }
}

export function isAbortError(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || (err as { code?: string }).code === 'ABORT_ERR');
}
