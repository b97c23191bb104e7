import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

async function sizeOf(path: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) total += await sizeOf(full);
    else if (entry.isFile())
      total += await stat(full).then(
        (s) => s.size,
        () => 0,
      );
  }
  return total;
}

/**
 * A folder's size on disk, measured in the background at most every `everyMs` (walking Chroma's data at 1 Hz
 * would cost more than the rest of the health check). `bytes` is null until the first walk ends.
 */
export class DirSize {
  private value: number | null = null;
  private measuredAt = -Infinity;
  private running: Promise<void> | null = null;

  constructor(
    private readonly path: string,
    private readonly everyMs = 30_000,
  ) {}

  /** The last measured size; starts a new walk when it is stale. */
  get bytes(): number | null {
    if (!this.running && performance.now() - this.measuredAt >= this.everyMs) {
      this.running = sizeOf(this.path)
        .then((bytes) => {
          this.value = bytes;
          this.measuredAt = performance.now();
        })
        .finally(() => (this.running = null));
    }
    return this.value;
  }

  /** Waits for a walk in progress (tests, shutdown). */
  async settled(): Promise<void> {
    await this.running;
  }
}
