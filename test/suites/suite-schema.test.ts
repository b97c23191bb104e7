/* shared/suite.ts: what a valid suite is, and that an invalid one names the field at fault. */
import { describe, expect, it } from 'vitest';
import { demoSuite } from '../../electron/host/demo/demo-npc';
import { parseSuite } from '../../electron/host/suites/suite-store';
import { SuiteValidationError } from '../../electron/host/suites/suite-errors';

function problem(value: unknown): SuiteValidationError {
  try {
    parseSuite(value);
  } catch (err) {
    if (err instanceof SuiteValidationError) return err;
    throw err;
  }
  throw new Error('the suite was accepted');
}

const oneCase = (expect: unknown[]) => ({ version: 1, npcId: 'n1', cases: [{ name: 'c', turns: [{ player: 'hi', expect }] }] });

describe('suite schema', () => {
  it('accepts the demo suite, with defaults filled in', () => {
    const suite = parseSuite(demoSuite());
    expect(suite.cases.length).toBeGreaterThanOrEqual(5);
    expect(suite.cases[0]!.setup.priorTurns).toEqual([]);
    expect(suite.cases[0]!.turns[0]!.expect[0]).toMatchObject({ kind: 'mentions', match: 'any' });
  });

  it('accepts every assertion kind', () => {
    const all = [
      { kind: 'mentions', phrases: ['a', 'b'], match: 'all' },
      { kind: 'mentions', phrases: ['^I am'], match: 'regex' },
      { kind: 'never_mentions', phrases: ['secret'] },
      { kind: 'lore_fired', entry: 'lighthouse' },
      { kind: 'knowledge_cited', source: 'harbor.md' },
      { kind: 'max_tokens', max: 40 },
      { kind: 'judge', rubric: 'stays in character', judge: { processor: 'local', model: 'judge' } },
    ];
    expect(parseSuite(oneCase(all)).cases[0]!.turns[0]!.expect).toHaveLength(7);
  });

  it('names the field of a bad regex, an unknown kind, a missing turn, a wrong version and a repeated name', () => {
    expect(problem(oneCase([{ kind: 'mentions', phrases: ['ok', '(unclosed'], match: 'regex' }])).fieldPath).toBe(
      'cases[0].turns[0].expect[0].phrases[1]',
    );
    expect(problem(oneCase([{ kind: 'sounds_like', phrases: ['x'] }])).fieldPath).toBe('cases[0].turns[0].expect[0].kind');
    expect(problem(oneCase([{ kind: 'max_tokens', max: 0 }])).fieldPath).toBe('cases[0].turns[0].expect[0].max');
    expect(problem({ version: 1, npcId: 'n1', cases: [{ name: 'c', turns: [] }] })).toMatchObject({
      fieldPath: 'cases[0].turns',
      reason: expect.stringMatching(/at least one player turn/),
    });
    expect(problem({ ...oneCase([]), version: 2 }).fieldPath).toBe('version');
    const twice = {
      version: 1,
      npcId: 'n1',
      cases: [
        { name: 'same', turns: [{ player: 'a' }] },
        { name: 'same', turns: [{ player: 'b' }] },
      ],
    };
    expect(problem(twice)).toMatchObject({ fieldPath: 'cases[1].name', reason: expect.stringMatching(/earlier case/) });
    expect(problem({ ...oneCase([]), extra: true }).fieldPath).toBe('(root)');
  });
});
