export type TargetOp = '<=' | '>=' | '<' | '>';

export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  target?: { op: TargetOp; value: number };
}

export function meetsTarget(f: BenchFigure): boolean {
  if (!f.target) return true;
  const { op, value } = f.target;
  return op === '<=' ? f.value <= value : op === '>=' ? f.value >= value : op === '<' ? f.value < value : f.value > value;
}

/** `BENCH <name> <value> <unit> target <op> <value>`; figures without a target omit the tail. */
export function formatFigure(f: BenchFigure): string {
  const value = Number.isInteger(f.value) ? String(f.value) : f.value.toFixed(2);
  const tail = f.target ? ` target ${f.target.op} ${f.target.value}` : '';
  return `BENCH ${f.name} ${value} ${f.unit}${tail}`;
}

/** A bench part: measures side by side in one run and returns its figures. */
export type BenchPart = () => Promise<BenchFigure[]>;

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

export { seededRandom } from '../test/support/seeded-random';
