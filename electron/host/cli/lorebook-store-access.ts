import { memoryLogger } from '../log/logger';
import { LorebookStore } from '../lore/lorebook-store';
import { dataPaths } from '../studio-paths';
import type { CliContext } from './command';

/**
 * Opens the data folder's lorebook store for one command and closes it after, whatever the outcome. The
 * runner holds the data-folder lock for the whole run; the store only reads, or writes a file atomically.
 */
export async function withLorebooks<T>(ctx: CliContext, work: (store: LorebookStore) => Promise<T>): Promise<T> {
  const store = new LorebookStore({ dir: dataPaths(ctx.dataDir).lorebooks, logger: memoryLogger('warn').logger });
  await store.initialize();
  try {
    return await work(store);
  } finally {
    await store.cleanup();
  }
}
