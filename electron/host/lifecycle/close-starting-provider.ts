import type { Logger } from '../log/logger';
import { closeProvider, type CloseRecord } from './close-provider';
import type { Provider } from './provider';

/**
 * Closes a provider whose initialize() is still running when shutdown begins (e.g. a Chroma server still
 * booting): its close aborts the start (a provider's close must be safe at any time), then the initialize is
 * awaited within what is left of the same bound, so nothing it opens later outlives the shutdown.
 */
export async function closeStartingProvider(
  provider: Provider,
  initialized: Promise<unknown>,
  timeoutMs: number,
  logger: Logger,
): Promise<CloseRecord> {
  const record = await closeProvider(provider, timeoutMs, logger);
  const left = Math.max(0, timeoutMs - record.ms);
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    initialized.then(() => true),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), left))),
  ]);
  clearTimeout(timer);
  if (settled) {
    logger.info({ provider: provider.id }, `Closed provider ${provider.id}, which was still starting`);
    return record;
  }
  const endedAt = performance.now();
  const error = `initialize of ${provider.id} was still running ${timeoutMs} ms after shutdown began`;
  logger.warn({ provider: provider.id }, `⏱ ${error}`);
  return { ...record, outcome: 'timed-out', error, ms: Math.round(endedAt - record.startedAt), endedAt };
}
