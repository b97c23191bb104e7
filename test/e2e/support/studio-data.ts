import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './web-host';

/** A fresh user-data folder for one studio, removed by the spec's afterAll. */
export function tempDataDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `npc-e2e-${label}-`));
}

/** settings.json before the first start: the test's Ollama server, embedded Chroma, short timeouts. */
export function writeSettings(dataDir: string, ollamaUrl: string): void {
  const settings = {
    ollama: { url: ollamaUrl },
    bedrock: { region: 'us-east-1' },
    chroma: { mode: 'embedded' },
    timeouts: { providerCleanupMs: 2000, shutdownDeadlineMs: 5000, drainMs: 2000 },
  };
  writeFileSync(join(dataDir, 'settings.json'), JSON.stringify(settings, null, 2) + '\n');
}

let prefix: string | undefined;

/**
 * The environment a studio process needs to start the real Chroma server on this machine: the launch prefix
 * scripts/prepare-chroma-loader.sh prints (a newer glibc loader on Debian 12, none where glibc is new enough;
 * idempotent and cached in .cache/chroma-loader). test/support/chroma.ts does the same for vitest, but its
 * imports use import.meta, which Playwright's CommonJS transform cannot load.
 */
export function studioEnv(): Record<string, string> {
  prefix ??=
    execFileSync('bash', [join(REPO, 'scripts', 'prepare-chroma-loader.sh'), '--json'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 300_000,
    }).trim() || '[]';
  return { NPC_STUDIO_CHROMA_PREFIX: prefix };
}
