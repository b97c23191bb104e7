/* Settings are validated as a whole: the drain must leave the shutdown deadline room to close the providers. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { settingsSchema } from '../../shared/settings';
import { DEFAULT_SETTINGS, SettingsStore } from '../../electron/host/settings/settings-store';
import { memoryLogger } from '../../electron/host/log/logger';
import { tempDir } from '../support/temp-dir';

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  dir = await tempDir('npc-settings-');
});
afterEach(async () => {
  await dir.remove();
});

const withTimeouts = (timeouts: Partial<typeof DEFAULT_SETTINGS.timeouts>) => ({
  ...DEFAULT_SETTINGS,
  timeouts: { ...DEFAULT_SETTINGS.timeouts, ...timeouts },
});

describe('settings timeouts, checked together', () => {
  it('accepts the defaults and a drain that leaves the cleanup reserve', () => {
    expect(settingsSchema.safeParse(DEFAULT_SETTINGS).success).toBe(true);
    expect(settingsSchema.safeParse(withTimeouts({ drainMs: 2999 })).success).toBe(true);
  });

  it('refuses a drain that leaves no room to close the providers, naming the field and the numbers', () => {
    const parsed = settingsSchema.safeParse(withTimeouts({ drainMs: 60_000 }));
    expect(parsed.success).toBe(false);
    const issue = parsed.error!.issues[0]!;
    expect(issue.path).toEqual(['timeouts', 'drainMs']);
    expect(issue.message).toBe(
      'must be less than shutdownDeadlineMs minus providerCleanupMs (5000 ms - 2000 ms = 3000 ms), got 60000 ms; ' +
        'lower drainMs or raise shutdownDeadlineMs so closing the providers keeps its time',
    );
    expect(settingsSchema.safeParse(withTimeouts({ drainMs: 3000 })).success).toBe(false);
  });

  it('a settings.json that breaks the rule is reported and kept; the studio starts on defaults', async () => {
    const file = join(dir.path, 'settings.json');
    const text = JSON.stringify(withTimeouts({ drainMs: 60_000 }), null, 2);
    await writeFile(file, text);
    const logs = memoryLogger();
    const store = new SettingsStore(dir.path, logs.logger);
    expect(await store.load()).toEqual(DEFAULT_SETTINGS);
    expect(store.problem()).toMatch(/settings\.json: timeouts\.drainMs: must be less than .*= 3000 ms\), got 60000 ms.*default settings/);
    expect(await readFile(file, 'utf8')).toBe(text);
    expect(logs.ring.messages().join('\n')).toMatch(/Settings file is not usable: .*timeouts\.drainMs/);
  });

  it('saving such settings is refused and the file is not touched', async () => {
    const store = new SettingsStore(dir.path, memoryLogger().logger);
    await store.load();
    await expect(store.set(withTimeouts({ drainMs: 60_000 }))).rejects.toThrow(/drainMs/);
    await expect(readFile(join(dir.path, 'settings.json'), 'utf8')).rejects.toThrow(/ENOENT/);
  });
});
