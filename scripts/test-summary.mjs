/*
 * What `npm test` reports: runs each test runner, reads the results it wrote in this run only, and builds the total.
 * A runner that wrote no (readable) results crashed: it is named on its own line and counts as a failure, so the
 * total line and the exit code always agree. Types: test-summary.d.mts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

/** Vitest's JSON reporter (Jest-compatible fields). */
export function vitestCounts(report, status) {
  const counts = {
    passed: report.numPassedTests,
    failed: report.numFailedTests,
    skipped: report.numPendingTests + report.numTodoTests,
    notes: [],
  };
  if (status !== 0 && counts.failed === 0) {
    counts.notes.push(`vitest exited ${status} with no failed test (a suite failed to load or an error escaped a test)`);
    counts.failed = 1;
  }
  return counts;
}

/** Playwright's JSON reporter: `stats.expected` passed; unexpected and flaky failed. */
export function playwrightCounts(report, status) {
  const s = report.stats;
  const counts = { passed: s.expected, failed: s.unexpected + (s.flaky ?? 0), skipped: s.skipped, notes: [] };
  if (status !== 0 && counts.failed === 0) {
    counts.notes.push(`playwright exited ${status} with no failed test (an error outside the tests)`);
    counts.failed = 1;
  }
  return counts;
}

function crashed(name, why) {
  return { passed: 0, failed: 1, skipped: 0, notes: [`${name} crashed: ${why}`] };
}

/**
 * Runs one runner. Its result file is deleted first, so a file left by an earlier run is never read.
 * `spawn` is spawnSync's shape (tests pass their own).
 */
export function runRunner(runner, { cwd, spawn = spawnSync } = {}) {
  rmSync(runner.resultFile, { force: true });
  const r = spawn(runner.command, runner.args, { cwd, stdio: 'inherit', env: { ...process.env, ...runner.env } });
  const status = r.status ?? 1;
  const exit = r.signal ? `killed by ${r.signal}` : `exit code ${status}`;
  if (!existsSync(runner.resultFile)) return crashed(runner.name, `wrote no results (${exit})`);
  let report;
  try {
    report = JSON.parse(readFileSync(runner.resultFile, 'utf8'));
  } catch (err) {
    return crashed(runner.name, `wrote unreadable results (${err.message}; ${exit})`);
  }
  let counts;
  try {
    counts = runner.count(report, status);
  } catch (err) {
    return crashed(runner.name, `wrote results of an unknown shape (${err.message}; ${exit})`);
  }
  if (!wholeCounts(counts)) return crashed(runner.name, `wrote results of an unknown shape (no test counts; ${exit})`);
  return counts;
}

function wholeCounts(r) {
  return [r.passed, r.failed, r.skipped].every((n) => Number.isInteger(n) && n >= 0);
}

/** The notes, then the last line CI parses: `N passed, N failed[, N skipped]`; exit code 1 exactly when N failed > 0. */
export function summarize(results) {
  const total = { passed: 0, failed: 0, skipped: 0 };
  const notes = [];
  for (const r of results) {
    if (!wholeCounts(r)) {
      throw new TypeError(`test counts must be whole numbers >= 0, got ${JSON.stringify(r)}`);
    }
    total.passed += r.passed;
    total.failed += r.failed;
    total.skipped += r.skipped;
    notes.push(...r.notes);
  }
  const line = `${total.passed} passed, ${total.failed} failed` + (total.skipped ? `, ${total.skipped} skipped` : '');
  return { lines: [...notes, line], exitCode: total.failed > 0 ? 1 : 0 };
}
