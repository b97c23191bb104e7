import type { SpawnSyncOptions } from 'node:child_process';

export interface RunnerCounts {
  passed: number;
  failed: number;
  skipped: number;
  /** Lines printed before the total: crashes, and exits that no failed test explains. */
  notes: string[];
}

export interface Runner {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** Where the runner writes its JSON results; deleted before the runner starts. */
  resultFile: string;
  count: (report: unknown, status: number) => RunnerCounts;
}

export function vitestCounts(report: unknown, status: number): RunnerCounts;
export function playwrightCounts(report: unknown, status: number): RunnerCounts;
/** spawnSync's shape, as far as runRunner uses it. */
export type Spawn = (
  command: string,
  args: string[],
  options: SpawnSyncOptions,
) => { status: number | null; signal: NodeJS.Signals | null };

export function runRunner(runner: Runner, options?: { cwd?: string; spawn?: Spawn }): RunnerCounts;
export function summarize(results: readonly RunnerCounts[]): { lines: string[]; exitCode: 0 | 1 };
