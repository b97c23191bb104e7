import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fdCounts, openFilePaths, SHARED_FD_LINKS_MS, withSharedTcpTable } from '../../electron/host/resources/proc';
import { tempDir } from '../support/temp-dir';

const onLinux = process.platform === 'linux';

describe.skipIf(!onLinux)('descriptor listings within one health beat (Linux /proc)', () => {
  it('are read once per beat and shared by every figure; outside a beat, and after SHARED_FD_LINKS_MS, afresh', async () => {
    const dir = await tempDir('npc-shared-fds-');
    const file = join(dir.path, 'opened-mid-beat.txt');
    let fd: number | null = null;
    try {
      const beat = await withSharedTcpTable(async () => {
        const countBefore = fdCounts()!.total;
        fd = openSync(file, 'w');
        return { countBefore, countAfter: fdCounts()!.total, paths: openFilePaths() };
      });
      // The same listing served both questions: the file opened in between is not in this beat's figures.
      expect(beat.countAfter).toBe(beat.countBefore);
      expect(beat.paths).not.toContain(file);
      // Outside a beat every call lists afresh.
      expect(openFilePaths()).toContain(file);
      // The next beat (the pusher's 1 Hz) lists afresh too.
      await new Promise((r) => setTimeout(r, SHARED_FD_LINKS_MS + 20));
      expect(await withSharedTcpTable(async () => openFilePaths())).toContain(file);
    } finally {
      if (fd !== null) closeSync(fd);
      await dir.remove();
    }
  });
});
