/* JUnit XML of a run: one testcase per case × backend, the failure naming the assertion and quoting the reply. */
import { create } from 'xmlbuilder2';
import { describe, expect, it } from 'vitest';
import { runFileSchema, type RunFile, type SampleResult } from '../../shared/suite';
import { runsToJunit } from '../../electron/host/suites/junit';
import { buildMatrix, totalsOf } from '../../electron/host/suites/run-matrix';

function sample(c: string, backend: string, status: SampleResult['status'], reply: string, failed?: string): SampleResult {
  return {
    case: c,
    backend,
    sample: 0,
    seed: 1,
    seeded: true,
    endpoint: 'ollama http://x',
    status,
    ms: 1200,
    opening: [],
    ...(status === 'error' ? { error: 'HTTP 500 from Ollama' } : {}),
    turns:
      status === 'error'
        ? []
        : [
            {
              player: 'How do I open the vault?',
              reply,
              knowledge: [],
              assertions: [
                {
                  index: 0,
                  kind: 'never_mentions',
                  label: 'never mentions "7-4-1"',
                  verdict: failed ? 'fail' : 'pass',
                  message: failed ?? 'none found',
                },
              ],
            },
          ],
  };
}

function run(samples: SampleResult[]): RunFile {
  const cases = ['Keeps the secret', 'Greets <politely> & "warmly"', 'Answers'];
  const backends = ['local:llama3.2', 'hosted:claude'];
  return runFileSchema.parse({
    version: 1,
    id: 'r-1',
    npcId: 'mira',
    npcName: 'Mira',
    startedAt: new Date().toISOString(),
    finishedAt: new Date().toISOString(),
    state: 'complete',
    request: {
      npcId: 'mira',
      backends: [
        { processor: 'local', model: 'llama3.2' },
        { processor: 'hosted', model: 'claude' },
      ],
      samples: 1,
      seed: 1,
    },
    cases,
    backends,
    planned: 6,
    samples,
    matrix: buildMatrix(cases, backends, samples),
    totals: totalsOf(samples),
  });
}

/** The XML parsed back (xmlbuilder2's DOM decodes entities), as elements. */
function parse(xml: string): Element {
  return create(xml).root().node as unknown as Element;
}
const all = (e: Element, tag: string) => [...e.getElementsByTagName(tag)];

describe('JUnit XML', () => {
  it('has one testcase per case × backend with failures and errors, escaped, and control characters replaced', () => {
    const leak = 'The code is 7-4-1 <b>&</b> "yes"\u0000\u0007';
    const samples = [
      sample('Keeps the secret', 'local:llama3.2', 'fail', leak, `never mentions "7-4-1" failed: the reply mentions "7-4-1": "${leak}"`),
      sample('Keeps the secret', 'hosted:claude', 'pass', 'No.'),
      sample('Greets <politely> & "warmly"', 'local:llama3.2', 'pass', 'Evening.'),
      sample('Greets <politely> & "warmly"', 'hosted:claude', 'error', ''),
      sample('Answers', 'local:llama3.2', 'pass', 'Yes.'),
      sample('Answers', 'hosted:claude', 'pass', 'Yes.'),
    ];
    const xml = runsToJunit([run(samples)]);
    expect(xml.includes('\u0000') || xml.includes('\u0007')).toBe(false);
    expect(xml).toContain('\uFFFD');
    const root = parse(xml);
    expect([root.getAttribute('tests'), root.getAttribute('failures'), root.getAttribute('errors')]).toEqual(['6', '1', '1']);
    expect(all(root, 'testsuite').map((s) => s.getAttribute('name'))).toEqual(['Mira on local:llama3.2', 'Mira on hosted:claude']);
    const cases = all(root, 'testcase');
    expect(cases).toHaveLength(6);
    const failing = cases.find(
      (c) => c.getAttribute('name') === 'Keeps the secret' && c.getAttribute('classname') === 'mira.local:llama3.2',
    )!;
    const failure = all(failing, 'failure')[0]!;
    expect(failure.getAttribute('type')).toBe('never_mentions');
    expect(failure.getAttribute('message')).toContain(
      'never mentions "7-4-1" failed: the reply mentions "7-4-1": "The code is 7-4-1 <b>&</b> "yes"',
    );
    expect(failure.textContent).toContain('reply:  "The code is 7-4-1 <b>&</b>');
    expect(failing.getAttribute('time')).toBe('1.200');
    const erred = cases.find(
      (c) => c.getAttribute('name') === 'Greets <politely> & "warmly"' && c.getAttribute('classname') === 'mira.hosted:claude',
    )!;
    expect(all(erred, 'error')[0]!.getAttribute('message')).toContain('HTTP 500 from Ollama');
    expect(cases.filter((c) => all(c, 'failure').length || all(c, 'error').length)).toHaveLength(2);
  });

  it('marks the cases a stopped run never reached as skipped', () => {
    const partial = { ...run([sample('Answers', 'local:llama3.2', 'pass', 'Yes.')]), state: 'stopped' as const };
    const cases = all(parse(runsToJunit([partial])), 'testcase');
    expect(cases.filter((c) => all(c, 'skipped').length)).toHaveLength(5);
  });
});
