import type { CloseMethod, CloseOutcome, ShutdownProviderRecord } from '../../../shared/shutdown';
import type { Logger } from '../log/logger';
import type { Provider } from './provider';
import { TimeoutError, withTimeout } from './timeout';
import { errorMessage } from '../../../shared/errors';

/** A report record plus when the close ran (performance.now() times). */
export interface CloseRecord extends ShutdownProviderRecord {
  startedAt: number;
  endedAt: number;
}

export function closeMethodOf(provider: Provider): CloseMethod {
  if (typeof provider.cleanup === 'function') return 'cleanup';
  if (typeof provider.shutdown === 'function') return 'shutdown';
  return 'none';
}

/**
 * Closes one provider: cleanup() if present (pooling-friendly), else shutdown(), else a warning.
 * Timed, bounded by `timeoutMs`, isolated: a throw or a hang becomes a record, never an exception.
 */
export async function closeProvider(provider: Provider, timeoutMs: number, logger: Logger): Promise<CloseRecord> {
  const method = closeMethodOf(provider);
  const startedAt = performance.now();
  const base = { id: provider.id, kind: provider.kind, step: provider.phase, method };
  const finish = (outcome: CloseOutcome, error?: string): CloseRecord => {
    const endedAt = performance.now();
    return { ...base, outcome, ms: Math.round(endedAt - startedAt), ...(error ? { error } : {}), startedAt, endedAt };
  };

  if (method === 'none') {
    logger.warn({ provider: provider.id }, `Provider ${provider.id} has neither cleanup() nor shutdown(); nothing to close`);
    return finish('no-method');
  }
  // Logged before the wait: a close that hangs shows in the log now, not only when its timeout fires.
  logger.info({ provider: provider.id, method, timeoutMs }, `Closing provider ${provider.id} (${method}, up to ${timeoutMs} ms)`);
  try {
    const close = method === 'cleanup' ? provider.cleanup!.bind(provider) : provider.shutdown!.bind(provider);
    await withTimeout(Promise.resolve().then(close), Math.max(0, timeoutMs), `${method} of ${provider.id}`);
    const record = finish('ok');
    const verb = method === 'cleanup' ? 'Cleaned up' : 'Shut down';
    logger.debug({ provider: provider.id, method, ms: record.ms }, `✅ ${verb} provider ${provider.id} (${method}, ${record.ms} ms)`);
    return record;
  } catch (err) {
    const timedOut = err instanceof TimeoutError;
    const record = finish(timedOut ? 'timed-out' : 'failed', errorMessage(err));
    logger.warn(
      { provider: provider.id, method, ms: record.ms, outcome: record.outcome },
      `${timedOut ? '⏱' : '❌'} Failed to cleanup provider ${provider.id}: ${record.error}`,
    );
    return record;
  }
}
