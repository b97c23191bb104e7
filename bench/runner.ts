/* Runs bench parts one after the other; a part that throws is reported and the others still run. */
import { errorMessage } from '../shared/errors';
import { formatFigure, meetsTarget, type BenchPart } from './report';

/** Exit codes of `npm run bench`; any other non-zero code means the runner itself failed. */
export const BENCH_EXIT = { ok: 0, partCrashed: 2, targetsMissed: 3 } as const;

export interface NamedPart {
  name: string;
  /** Loads and runs the part (a failed import counts as a crash of that part). */
  run: BenchPart;
}

export interface BenchOutcome {
  missed: number;
  crashed: string[];
  exitCode: number;
}

/** Prints `BENCH ...` per figure (`(MISSED)` after a missed target) and `BENCH-CRASH <part> <message>` per crashed part. */
export async function runParts(parts: readonly NamedPart[], print: (line: string) => void): Promise<BenchOutcome> {
  let missed = 0;
  const crashed: string[] = [];
  for (const part of parts) {
    try {
      for (const figure of await part.run()) {
        const ok = meetsTarget(figure);
        if (!ok) missed++;
        print(formatFigure(figure) + (ok ? '' : '  (MISSED)'));
      }
    } catch (err) {
      crashed.push(part.name);
      print(`BENCH-CRASH ${part.name} ${errorMessage(err).replace(/\s+/g, ' ')}`);
    }
  }
  const exitCode = crashed.length > 0 ? BENCH_EXIT.partCrashed : missed > 0 ? BENCH_EXIT.targetsMissed : BENCH_EXIT.ok;
  return { missed, crashed, exitCode };
}

/** The line after the figures: what went wrong, if anything. */
export function outcomeLine(outcome: BenchOutcome): string | null {
  const notes: string[] = [];
  if (outcome.crashed.length > 0) notes.push(`${outcome.crashed.length} bench part(s) crashed: ${outcome.crashed.join(', ')}`);
  if (outcome.missed > 0) notes.push(`${outcome.missed} benchmark target(s) missed`);
  return notes.length > 0 ? notes.join('; ') : null;
}
