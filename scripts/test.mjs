#!/usr/bin/env node
/*
 * `npm test`: every runner that works on this machine, one after the other, then one total line:
 * "N passed, N failed" (", N skipped" where any were). Exits non-zero when any runner failed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const out = join(root, '.cache', 'test-results');
mkdirSync(out, { recursive: true });

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

const totals = { passed: 0, failed: 0, skipped: 0 };
let broken = false;

// 1. Vitest: unit and integration, on the Node this script runs on (Node 24 under npm scripts).
const vitestJson = join(out, 'vitest.json');
const vitestStatus = run(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]);
if (existsSync(vitestJson)) {
  const r = JSON.parse(readFileSync(vitestJson, 'utf8'));
  totals.passed += r.numPassedTests;
  totals.failed += r.numFailedTests;
  totals.skipped += r.numPendingTests + r.numTodoTests;
  if (vitestStatus !== 0 && r.numFailedTests === 0) {
    console.error(`vitest exited ${vitestStatus} with no failed test (a suite failed to load or an error escaped a test)`);
    totals.failed += 1;
  }
} else {
  console.error('vitest wrote no results');
  broken = true;
}

// 2. Playwright end-to-end, in Debian's Chromium, when the suite exists.
const e2eDir = join(root, 'test', 'e2e');
if (existsSync(e2eDir) && readdirSync(e2eDir).some((f) => f.endsWith('.spec.ts'))) {
  const pwJson = join(out, 'playwright.json');
  const status = run(process.execPath, ['node_modules/@playwright/test/cli.js', 'test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: pwJson });
  if (existsSync(pwJson)) {
    const s = JSON.parse(readFileSync(pwJson, 'utf8')).stats;
    totals.passed += s.expected;
    totals.failed += s.unexpected + (s.flaky ?? 0);
    totals.skipped += s.skipped;
    if (status !== 0 && s.unexpected === 0) totals.failed += 1;
  } else {
    console.error('playwright wrote no results');
    broken = true;
  }
}

const line = `${totals.passed} passed, ${totals.failed} failed` + (totals.skipped ? `, ${totals.skipped} skipped` : '');
console.log(line);
process.exit(broken || totals.failed > 0 ? 1 : 0);
