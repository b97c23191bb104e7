import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { playwrightCounts, runRunner, summarize, vitestCounts, type Runner, type Spawn } from '../../scripts/test-summary.mjs';
import { tempDir } from '../support/temp-dir';

const repo = join(import.meta.dirname, '..', '..');

let dir: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir('npc-studio-test-summary-');
});
afterEach(async () => {
  await dir.remove();
});

const vitestReport = (passed: number, failed: number) => ({
  numPassedTests: passed,
  numFailedTests: failed,
  numPendingTests: 0,
  numTodoTests: 0,
});
const playwrightReport = (expected: number, unexpected: number) => ({ stats: { expected, unexpected, flaky: 0, skipped: 0 } });

/** A runner that is a node one-liner: `body` sees the result file's path as `file`. */
function fakeRunner(body: string, count = vitestCounts): Runner {
  const resultFile = join(dir.path, 'result.json');
  return {
    name: 'fake',
    command: process.execPath,
    args: ['-e', `const file = process.env.RESULT_FILE; const fs = require('node:fs'); ${body}`],
    env: { RESULT_FILE: resultFile },
    resultFile,
    count,
  };
}

describe('runRunner', () => {
  it('counts what the runner wrote in this run', () => {
    const runner = fakeRunner(`fs.writeFileSync(file, JSON.stringify(${JSON.stringify(vitestReport(3, 1))})); process.exit(1)`);
    expect(runRunner(runner, { spawn: quiet })).toEqual({ passed: 3, failed: 1, skipped: 0, notes: [] });
  });

  it('never reads a result file left by an earlier run: a runner that writes none crashed', () => {
    const runner = fakeRunner('process.exit(1)');
    writeFileSync(runner.resultFile, JSON.stringify(vitestReport(312, 0)));
    expect(runRunner(runner, { spawn: quiet })).toEqual({
      passed: 0,
      failed: 1,
      skipped: 0,
      notes: ['fake crashed: wrote no results (exit code 1)'],
    });
  });

  it('names a runner killed by a signal', () => {
    const result = runRunner(fakeRunner("process.kill(process.pid, 'SIGKILL')"), { spawn: quiet });
    expect(result.notes).toEqual(['fake crashed: wrote no results (killed by SIGKILL)']);
    expect(result.failed).toBe(1);
  });

  it('treats half-written or foreign results as a crash', () => {
    const torn = runRunner(fakeRunner(`fs.writeFileSync(file, '{"numPassedTests": 4'); process.exit(0)`), { spawn: quiet });
    expect(torn).toMatchObject({
      passed: 0,
      failed: 1,
      notes: [expect.stringMatching(/^fake crashed: wrote unreadable results \(.*exit code 0\)$/)],
    });
    const foreign = runRunner(fakeRunner(`fs.writeFileSync(file, '{"tests": []}')`, playwrightCounts), { spawn: quiet });
    expect(foreign).toMatchObject({
      passed: 0,
      failed: 1,
      notes: [expect.stringMatching(/^fake crashed: wrote results of an unknown shape/)],
    });
    const noCounts = runRunner(fakeRunner(`fs.writeFileSync(file, '{"numPassedTests": 2}')`), { spawn: quiet });
    expect(noCounts).toMatchObject({
      passed: 0,
      failed: 1,
      notes: [expect.stringMatching(/^fake crashed: wrote results of an unknown shape/)],
    });
  });
});

describe('runner counts', () => {
  it('counts a non-zero exit that no failed test explains as one failure, and says so', () => {
    expect(vitestCounts(vitestReport(5, 0), 1)).toEqual({
      passed: 5,
      failed: 1,
      skipped: 0,
      notes: [expect.stringContaining('vitest exited 1')],
    });
    expect(playwrightCounts(playwrightReport(5, 0), 1)).toEqual({
      passed: 5,
      failed: 1,
      skipped: 0,
      notes: [expect.stringContaining('playwright exited 1')],
    });
    expect(vitestCounts(vitestReport(5, 2), 1)).toEqual({ passed: 5, failed: 2, skipped: 0, notes: [] });
  });
});

describe('summarize', () => {
  it('puts each crash on its own line before the total line', () => {
    const { lines, exitCode } = summarize([
      { passed: 312, failed: 0, skipped: 2, notes: [] },
      { passed: 0, failed: 1, skipped: 0, notes: ['playwright crashed: wrote no results (exit code 1)'] },
    ]);
    expect(lines).toEqual(['playwright crashed: wrote no results (exit code 1)', '312 passed, 1 failed, 2 skipped']);
    expect(exitCode).toBe(1);
  });

  it('the total line and the exit code always agree', () => {
    const counts = fc.record({
      passed: fc.nat(1000),
      failed: fc.nat(5),
      skipped: fc.nat(5),
      notes: fc.array(fc.constantFrom('vitest crashed: wrote no results (exit code 1)'), { maxLength: 1 }),
    });
    fc.assert(
      fc.property(fc.array(counts, { maxLength: 3 }), (results) => {
        const { lines, exitCode } = summarize(results);
        const last = /^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/.exec(lines.at(-1)!);
        expect(last, lines.at(-1)).not.toBeNull();
        expect(Number(last![1])).toBe(results.reduce((n, r) => n + r.passed, 0));
        expect(exitCode).toBe(Number(last![2]) > 0 ? 1 : 0);
      }),
    );
  });
});

/** The real scripts/test.mjs in a scratch project whose vitest and playwright are fakes driven by FAKE_* variables. */
describe('npm test (scripts/test.mjs) against fake runners', () => {
  function scratchProject(): string {
    const root = dir.path;
    for (const f of ['test.mjs', 'test-summary.mjs']) copyFile(join(repo, 'scripts', f), join(root, 'scripts', f));
    writeFile(join(root, 'test', 'e2e', 'flow.spec.ts'), '');
    writeFile(
      join(root, 'node_modules', 'vitest', 'vitest.mjs'),
      fakeCli(`process.argv.find((a) => a.startsWith('--outputFile.json='))?.split('=')[1]`, 'FAKE_VITEST'),
    );
    writeFile(
      join(root, 'node_modules', '@playwright', 'test', 'cli.js'),
      fakeCli('process.env.PLAYWRIGHT_JSON_OUTPUT_NAME', 'FAKE_PLAYWRIGHT'),
    );
    return root;
  }

  /** FAKE_x="<json>|<exit code>" writes the JSON and exits; "crash" exits 1 without writing. */
  function fakeCli(fileExpr: string, variable: string): string {
    return [
      "const fs = process.getBuiltinModule('node:fs');",
      `const [json, code] = (process.env.${variable} ?? 'crash').split('|');`,
      "if (json === 'crash') process.exit(1);",
      `fs.writeFileSync(${fileExpr}, json);`,
      'process.exit(Number(code));',
    ].join('\n');
  }

  function npmTest(root: string, env: Record<string, string>): { lines: string[]; status: number | null } {
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'test.mjs')], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, ...env },
    });
    return { lines: r.stdout.trim().split('\n'), status: r.status };
  }

  it('a crashed runner is named, counted as a failure, and the previous run is not counted', () => {
    const root = scratchProject();
    const first = npmTest(root, {
      FAKE_VITEST: `${JSON.stringify(vitestReport(300, 0))}|0`,
      FAKE_PLAYWRIGHT: `${JSON.stringify(playwrightReport(12, 0))}|0`,
    });
    expect(first).toEqual({ lines: ['312 passed, 0 failed'], status: 0 });

    const second = npmTest(root, { FAKE_VITEST: `${JSON.stringify(vitestReport(300, 0))}|0`, FAKE_PLAYWRIGHT: 'crash' });
    expect(second.lines.slice(-2)).toEqual(['playwright crashed: wrote no results (exit code 1)', '300 passed, 1 failed']);
    expect(second.status).toBe(1);

    const third = npmTest(root, { FAKE_VITEST: 'crash', FAKE_PLAYWRIGHT: 'crash' });
    expect(third.lines.slice(-3)).toEqual([
      'vitest crashed: wrote no results (exit code 1)',
      'playwright crashed: wrote no results (exit code 1)',
      '0 passed, 2 failed',
    ]);
    expect(third.status).toBe(1);
  });
});

/** spawnSync without the runner's output in the test log. */
const quiet: Spawn = (command, args, options) => spawnSync(command, args, { ...options, stdio: 'ignore' });

function writeFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

function copyFile(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}
