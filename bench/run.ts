/*
 * Runs every part in bench/parts (or those named on the command line) and prints BENCH lines.
 * Exit code: 0 all targets met, 3 some target missed, 2 a part crashed (its BENCH-CRASH line says why); see runner.ts.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchPart } from './report';
import { outcomeLine, runParts } from './runner';

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const dir = join(__dirname, 'parts');
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.replace(/\.ts$/, ''))
    .filter((name) => wanted.length === 0 || wanted.includes(name))
    .sort();
  const unknown = wanted.filter((w) => !names.includes(w));
  if (unknown.length > 0) throw new Error(`no bench part named ${unknown.join(', ')} in ${dir}`);
  const parts = names.map((name) => ({
    name,
    run: async () => ((await import(join(dir, `${name}.ts`))) as { default: BenchPart }).default(),
  }));
  const outcome = await runParts(parts, (line) => console.log(line));
  const line = outcomeLine(outcome);
  if (line) console.error(line);
  process.exitCode = outcome.exitCode;
}

main().catch((err: unknown) => {
  console.error(`the bench runner failed: ${err instanceof Error ? err.stack : String(err)}`);
  process.exitCode = 1;
});
