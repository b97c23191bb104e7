import type { Logger } from '../log/logger';
import type { Phase, Provider } from './provider';
import { errorMessage, TimeoutError, withTimeout } from './timeout';

export type CloseMethod = 'cleanup' | 'shutdown' | 'none';
export type CloseOutcome = 'ok' | 'failed' | 'timed-out' | 'no-method';

export interface CloseRecord {
  id: string;
  kind: string;
  step: Phase;
  method: CloseMethod;
  outcome: CloseOutcome;
  ms: number;
  error?: string;
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
