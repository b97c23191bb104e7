#!/usr/bin/env node
/*
 * `npm test`: every runner that works on this machine, one after the other, then one total line:
 * "N passed, N failed" (", N skipped" where any were), preceded by a line per runner that crashed.
 * Exits 1 exactly when the total shows a failure (a crashed runner counts as one). See test-summary.mjs.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { playwrightCounts, runRunner, summarize, vitestCounts } from './test-summary.mjs';

const root = join(import.meta.dirname, '..');
const out = join(root, '.cache', 'test-results');
mkdirSync(out, { recursive: true });

const runners = [];

// 1. Vitest: unit and integration, on the Node this script runs on (Node 24 under npm scripts).
const vitestJson = join(out, 'vitest.json');
runners.push({
  name: 'vitest',
  command: process.execPath,
  args: ['node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`],
  resultFile: vitestJson,
  count: vitestCounts,
});

// 2. Playwright end-to-end, in Debian's Chromium, when the suite exists.
const e2eDir = join(root, 'test', 'e2e');
if (existsSync(e2eDir) && readdirSync(e2eDir).some((f) => f.endsWith('.spec.ts'))) {
  const pwJson = join(out, 'playwright.json');
  runners.push({
    name: 'playwright',
    command: process.execPath,
    args: ['node_modules/@playwright/test/cli.js', 'test', '--reporter=list,json'],
    env: { PLAYWRIGHT_JSON_OUTPUT_NAME: pwJson },
    resultFile: pwJson,
    count: playwrightCounts,
  });
}

const { lines, exitCode } = summarize(runners.map((runner) => runRunner(runner, { cwd: root })));
for (const line of lines) console.log(line);
process.exit(exitCode);
