/* Runs every part in bench/parts (or those named on the command line) and prints BENCH lines. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatFigure, meetsTarget, type BenchPart } from './report';

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const dir = join(__dirname, 'parts');
  const parts = readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.replace(/\.ts$/, ''))
    .filter((name) => wanted.length === 0 || wanted.includes(name))
    .sort();
  let missed = 0;
  for (const name of parts) {
    const mod = (await import(join(dir, `${name}.ts`))) as { default: BenchPart };
    const figures = await mod.default();
    for (const figure of figures) {
      const ok = meetsTarget(figure);
      if (!ok) missed++;
      console.log(formatFigure(figure) + (ok ? '' : '  (MISSED)'));
    }
  }
  if (missed > 0) {
    console.error(`${missed} benchmark target(s) missed`);
    process.exitCode = 1;
  }
}

void main();
