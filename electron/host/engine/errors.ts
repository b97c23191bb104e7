/** Thrown for any request that arrives once shutdown has begun; the router maps it to the `ShuttingDown` IPC error. */
export class ShuttingDownError extends Error {
  readonly code = 'ShuttingDown';
  constructor(what = 'request') {
    super(`The studio is shutting down; the ${what} was not started`);
    this.name = 'ShuttingDownError';
  }
}

/** An abort anywhere in the error or its causes (undici and the SDKs wrap the AbortError in `cause`). */
export function isAbortError(err: unknown): boolean {
  const seen = new Set<unknown>();
  const stack: unknown[] = [err];
  while (stack.length > 0 && seen.size < 20) {
    const e = stack.pop();
    if (!e || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    const { name, code, cause, errors } = e as { name?: string; code?: string; cause?: unknown; errors?: unknown };
    if (name === 'AbortError' || code === 'ABORT_ERR') return true;
    if (cause) stack.push(cause);
    if (Array.isArray(errors)) stack.push(...(errors as unknown[]));
  }
  return false;
}
