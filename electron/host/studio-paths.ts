import { homedir } from 'node:os';
import { join } from 'node:path';

export const PRODUCT_NAME = 'NPC Studio';

/** Where Electron's app.getPath('userData') points for this app, so the web host shares the same data. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), PRODUCT_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', PRODUCT_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), PRODUCT_NAME);
}

/** Files and folders inside the user-data folder. */
export function dataPaths(dataDir: string) {
  return {
    logFile: join(dataDir, 'logs', 'studio.log'),
    npcs: join(dataDir, 'npcs'),
    lorebooks: join(dataDir, 'lorebooks'),
    transcripts: join(dataDir, 'transcripts'),
    /** The designer's personas (who {{user}} is in a chat). */
    personas: join(dataDir, 'personas.json'),
    knowledge: join(dataDir, 'knowledge'),
    chroma: join(dataDir, 'chroma'),
    usage: join(dataDir, 'usage.jsonl'),
    /** NPC behaviour tests: <npcId>.json, and runs/<npcId>/<runId>.json. */
    suites: join(dataDir, 'suites'),
  };
}
