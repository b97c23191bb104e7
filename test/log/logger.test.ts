import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../electron/host/log/logger';
import { openFilePaths } from '../../electron/host/resources/proc';
import { eventually } from '../support/leaks';
import { tempDir } from '../support/temp-dir';

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  dir = await tempDir('npc-studio-log-');
});
afterEach(async () => dir.remove());

describe('the log file', () => {
  it('close() writes out every line, then lets go of the file; later lines reach the ring only', async () => {
    const file = join(dir.path, 'logs', 'studio.log');
    const logs = createLogger({ file });
    for (let i = 0; i < 50; i++) logs.logger.info(`line ${i}`);
    expect(await eventually(openFilePaths, (open) => open.includes(file))).toContain(file);

    await logs.close();
    expect(openFilePaths()).not.toContain(file);
    expect(() => logs.logger.warn('after close')).not.toThrow();
    await logs.close();

    const lines = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).msg as string);
    expect(lines).toEqual(Array.from({ length: 50 }, (_, i) => `line ${i}`));
    expect(logs.ring.messages().at(-1)).toBe('WARN after close');
  });

  it('has each line in the file when the call returns, so a host killed right after loses none', async () => {
    const file = join(dir.path, 'logs', 'studio.log');
    const logs = createLogger({ file });
    logs.logger.info('written at once');
    expect(readFileSync(file, 'utf8')).toContain('"msg":"written at once"');
    await logs.close();
  });

  it('a log file that cannot be written (disk full) is said once on stderr; the studio and the ring go on', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const logs = createLogger({ file: '/dev/full' });
      expect(() => {
        logs.logger.info('first');
        logs.logger.info('second');
      }).not.toThrow();
      expect(logs.ring.messages()).toEqual(['INFO first', 'INFO second']);
      const said = stderr.mock.calls.map(([text]) => String(text)).filter((t) => t.includes('could not write its log file'));
      expect(said).toHaveLength(1);
      expect(said[0]).toMatch(/\/dev\/full \(.*ENOSPC.*\); the log panel still shows every line/);
      await logs.close();
    } finally {
      stderr.mockRestore();
    }
  });
});
