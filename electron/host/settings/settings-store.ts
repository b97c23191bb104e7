import { join } from 'node:path';
import { settingsSchema, type Settings, type SettingsSetResult } from '../../../shared/settings';
import { FileProblem, readJsonFile, writeJsonAtomic } from '../fs/json-file';
import type { Logger } from '../log/logger';

export const SETTINGS_FILE = 'settings.json';

export const DEFAULT_SETTINGS: Settings = {
  ollama: { url: 'http://127.0.0.1:11434' },
  bedrock: { region: 'us-east-1' },
  chroma: { mode: 'embedded' },
  timeouts: { providerCleanupMs: 2000, shutdownDeadlineMs: 5000, drainMs: 2000 },
};

/** Settings whose change needs a restart: the providers they configure are built once, at start. */
const RESTART_KEYS = ['ollama', 'bedrock', 'chroma', 'timeouts'] as const;

/**
 * settings.json in the user-data folder. A file that does not validate is reported and kept as it is
 * (the studio starts on defaults); it is replaced only when the designer saves new settings.
 */
export class SettingsStore {
  readonly file: string;
  private current: Settings = DEFAULT_SETTINGS;
  private loadProblem: string | null = null;

  constructor(
    dataDir: string,
    private readonly logger: Logger,
  ) {
    this.file = join(dataDir, SETTINGS_FILE);
  }

  async load(): Promise<Settings> {
    try {
      this.current = (await readJsonFile(this.file, settingsSchema)) ?? DEFAULT_SETTINGS;
    } catch (err) {
      if (!(err instanceof FileProblem)) throw err;
      this.loadProblem = `${err.message}; the studio started on default settings and left the file as it was`;
      this.logger.error({ file: this.file }, `Settings file is not usable: ${this.loadProblem}`);
      this.current = DEFAULT_SETTINGS;
    }
    return this.current;
  }

  get(): Settings {
    return this.current;
  }

  problem(): string | null {
    return this.loadProblem;
  }

  async set(next: Settings): Promise<SettingsSetResult> {
    const checked = settingsSchema.parse(next);
    const restartRequired = RESTART_KEYS.filter((k) => JSON.stringify(checked[k]) !== JSON.stringify(this.current[k]));
    await writeJsonAtomic(this.file, checked);
    this.current = checked;
    this.loadProblem = null;
    return { settings: checked, restartRequired: [...restartRequired] };
  }
}
