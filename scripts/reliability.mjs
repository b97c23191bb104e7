#!/usr/bin/env node
/*
 * `npm run reliability`: runs the reliability tests (test/reliability) with vitest, then prints the figures
 * each part wrote to .cache/reliability/<part>.json as `RELIABILITY ...` lines and merges them into
 * .cache/reliability.json. Exits non-zero when a test failed or a part wrote no figures.
 * Extra arguments go to vitest (e.g. a file filter).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const partsDir = join(root, '.cache', 'reliability');
const merged = join(root, '.cache', 'reliability.json');
// The order the issue lists them in; parts not named here are printed after these.
const ORDER = ['faults', 'crash', 'leaks', 'fuzz', 'security', 'bad-files', 'double-start', 'unclean-exit', 'ctrl-c', 'wrapper-kills'];
// npm test runs the short forms (3 rounds each); here, the full ones unless set otherwise.
const ROUNDS = { NPC_DOUBLE_START_ROUNDS: '10', NPC_UNCLEAN_ROUNDS: '10', NPC_CTRL_C_ROUNDS: '20', NPC_WRAPPER_KILL_ROUNDS: '10' };

// Old figures must not pass for new ones.
rmSync(partsDir, { recursive: true, force: true });
mkdirSync(partsDir, { recursive: true });

const args = process.argv.slice(2);
const vitest = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...(args.length ? args : ['test/reliability'])], {
  cwd: root,
  stdio: 'inherit',
  env: { ...ROUNDS, ...process.env },
});

const parts = readdirSync(partsDir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(partsDir, f), 'utf8')))
  .sort((a, b) => rank(a.part) - rank(b.part) || a.part.localeCompare(b.part));

function rank(part) {
  const i = ORDER.indexOf(part);
  return i < 0 ? ORDER.length : i;
}

writeFileSync(
  merged,
  JSON.stringify(Object.fromEntries(parts.map((p) => [p.part, { line: p.line, ...p.figures, at: p.at }])), null, 2) + '\n',
);
console.log('');
for (const p of parts) console.log(p.line);
if (parts.length === 0) console.log('RELIABILITY no figures were written');
console.log(`(figures in ${existsSync(merged) ? merged : 'nowhere'})`);
process.exit(vitest.status === 0 && parts.length > 0 ? 0 : 1);
