import { create } from 'xmlbuilder2';
import type { RunFile, SampleResult } from '../../../shared/suite';
import { quoteReply } from './assertions';

/**
 * A run as JUnit XML for CI: one <testsuite> per backend, one <testcase> per case × backend (its samples
 * together: it fails if any sample failed, errs if none failed but one could not run). The failure message names
 * the first failed assertion and quotes the reply. Built with xmlbuilder2, which escapes text and attributes and
 * replaces characters XML cannot hold (a model may stream control characters) with U+FFFD.
 */
export function runsToJunit(runs: readonly RunFile[]): string {
  const root = create({ version: '1.0', encoding: 'UTF-8', invalidCharReplacement: '\uFFFD' });
  const totals = { tests: 0, failures: 0, errors: 0, time: 0 };
  const suites = root.ele('testsuites', { name: 'NPC Studio behaviour tests' });
  for (const run of runs)
    for (const backend of run.backends) {
      const suite = suites.ele('testsuite', { name: `${run.npcName} on ${backend}` });
      const counts = { tests: 0, failures: 0, errors: 0, skipped: 0, time: 0 };
      for (const name of run.cases) {
        const samples = run.samples.filter((s) => s.case === name && s.backend === backend);
        const seconds = samples.reduce((n, s) => n + s.ms, 0) / 1000;
        const testcase = suite.ele('testcase', { classname: `${run.npcId}.${backend}`, name, time: seconds.toFixed(3) });
        counts.tests++;
        counts.time += seconds;
        const failed = samples.filter((s) => s.status === 'fail');
        const broken = samples.filter((s) => s.status === 'error' || s.status === 'interrupted');
        if (failed.length) {
          counts.failures++;
          const first = failedAssertion(failed[0]!);
          testcase
            .ele('failure', { message: `${failed.length}/${samples.length} samples failed: ${first.message}`, type: first.kind })
            .txt(failed.map(sampleReport).join('\n\n'));
        } else if (broken.length) {
          counts.errors++;
          const first = broken[0]!;
          const what = first.status === 'error' ? 'could not run' : 'were interrupted';
          testcase
            .ele('error', {
              message: `${broken.length}/${samples.length} samples ${what}: ${first.error ?? ''}`,
              type: first.status,
            })
            .txt(broken.map(sampleReport).join('\n\n'));
        } else if (samples.length === 0) {
          counts.skipped++;
          testcase.ele('skipped', { message: `not run: the run was ${run.state}` });
        }
        const rate = samples.filter((s) => s.status === 'pass').length;
        testcase
          .ele('system-out')
          .txt(
            `${rate}/${samples.length} samples passed\n` +
              samples
                .map((s) => `sample ${s.sample + 1} (seed ${s.seed}${s.seeded ? '' : ', unseeded backend'}, ${s.endpoint}): ${s.status}`)
                .join('\n'),
          );
      }
      suite.att({
        tests: String(counts.tests),
        failures: String(counts.failures),
        errors: String(counts.errors),
        skipped: String(counts.skipped),
        time: counts.time.toFixed(3),
      });
      totals.tests += counts.tests;
      totals.failures += counts.failures;
      totals.errors += counts.errors;
      totals.time += counts.time;
    }
  suites.att({
    tests: String(totals.tests),
    failures: String(totals.failures),
    errors: String(totals.errors),
    time: totals.time.toFixed(3),
  });
  return root.end({ prettyPrint: true }) + '\n';
}

function failedAssertion(sample: SampleResult): { kind: string; message: string } {
  for (const turn of sample.turns) {
    const a = turn.assertions.find((x) => x.verdict === 'fail');
    if (a) return { kind: a.kind, message: a.message };
  }
  return { kind: 'fail', message: 'failed' };
}

function sampleReport(sample: SampleResult): string {
  const lines = [
    `sample ${sample.sample + 1} (seed ${sample.seed}, ${sample.endpoint}): ${sample.status}${sample.error ? ` (${sample.error})` : ''}`,
  ];
  for (const turn of sample.turns) {
    lines.push(`  player: ${quoteReply(turn.player)}`, `  reply:  ${quoteReply(turn.reply, 400)}`);
    for (const a of turn.assertions) lines.push(`    [${a.verdict}] ${a.verdict === 'pass' ? a.label : a.message}`);
  }
  return lines.join('\n');
}
