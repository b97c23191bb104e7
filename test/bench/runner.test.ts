import { describe, expect, it } from 'vitest';
import { BENCH_EXIT, outcomeLine, runParts, type NamedPart } from '../../bench/runner';

const met: NamedPart = { name: 'fast', run: async () => [{ name: 'fast.ms', value: 5, unit: 'ms', target: { op: '<=', value: 10 } }] };
const missed: NamedPart = { name: 'slow', run: async () => [{ name: 'slow.ms', value: 50, unit: 'ms', target: { op: '<=', value: 10 } }] };
const crashing: NamedPart = {
  name: 'broken',
  run: async () => {
    throw new Error('the fixture host\nexited early');
  },
};

async function run(parts: NamedPart[]) {
  const lines: string[] = [];
  const outcome = await runParts(parts, (line) => lines.push(line));
  return { lines, outcome };
}

describe('the bench runner', () => {
  it('reports a part that throws, still runs the others, and exits with the crash code', async () => {
    const { lines, outcome } = await run([crashing, met, missed]);
    expect(lines).toEqual([
      'BENCH-CRASH broken the fixture host exited early',
      'BENCH fast.ms 5 ms target <= 10',
      'BENCH slow.ms 50 ms target <= 10  (MISSED)',
    ]);
    expect(outcome).toEqual({ missed: 1, crashed: ['broken'], exitCode: BENCH_EXIT.partCrashed });
    expect(outcomeLine(outcome)).toBe('1 bench part(s) crashed: broken; 1 benchmark target(s) missed');
  });

  it('tells missed targets from crashes, and both from success', async () => {
    expect((await run([met, missed])).outcome.exitCode).toBe(BENCH_EXIT.targetsMissed);
    const ok = await run([met]);
    expect(ok.outcome.exitCode).toBe(0);
    expect(outcomeLine(ok.outcome)).toBeNull();
    expect(new Set(Object.values(BENCH_EXIT)).size).toBe(3);
    // 1 is what Node exits with on an uncaught error: it must mean neither "missed" nor "crashed part".
    expect(Object.values(BENCH_EXIT)).not.toContain(1);
  });
});
