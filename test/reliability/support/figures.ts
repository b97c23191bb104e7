import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIGURES_DIR = join(__dirname, '../../../.cache/reliability');

/**
 * Each reliability part writes its own file (test files run in separate processes, so one shared file would
 * race); scripts/reliability.mjs merges them into .cache/reliability.json and prints the lines.
 */
export function writeFigures(part: string, line: string, figures: Record<string, unknown>): void {
  mkdirSync(FIGURES_DIR, { recursive: true });
  writeFileSync(join(FIGURES_DIR, `${part}.json`), JSON.stringify({ part, line, figures, at: new Date().toISOString() }, null, 2) + '\n');
  process.stdout.write(`${line}\n`);
}
