import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import { waitForExit } from './spawn-ts';

export const REPO = join(__dirname, '..', '..');

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command from the repo root to its exit and collects its whole stdout and stderr. */
export async function runProcess(command: string, args: string[]): Promise<ProcessResult> {
  const child = spawn(command, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const { code } = await waitForExit(child);
  // 'exit' can come before the last 'data' events of the pipes; one turn of the loop lets them land.
  await new Promise((r) => setImmediate(r));
  return { code, stdout, stderr };
}

/** The CLI (electron/cli.ts) as a real process of this Node, through tsx. */
export function runCli(...args: string[]): Promise<ProcessResult> {
  return runProcess(process.execPath, ['--import', 'tsx', join(REPO, 'electron', 'cli.ts'), ...args]);
}

/** A CLI failure is one line on stderr, never a stack trace. */
export function expectOneLineNoStack(stderr: string): void {
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m);
}
