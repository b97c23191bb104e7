/* Each assertion kind on a reply, pass and fail, and the judge: its prompt, its verdict, an answer it cannot read. */
import { describe, expect, it } from 'vitest';
import type { ReplyLoreTrace } from '../../shared/lorebook-trace';
import { assertionSchema, type Assertion } from '../../shared/suite';
import { checkAssertion, type ReplyUnderTest } from '../../electron/host/suites/assertions';
import { judgePrompt, parseVerdict } from '../../electron/host/suites/judge';
import { runSample, type SampleContext } from '../../electron/host/suites/sample-run';
import { npcSchema } from '../../shared/npc';
import { caseSchema } from '../../shared/suite';
import { scriptedProcessor } from './rig';

const lore: ReplyLoreTrace = {
  seed: 1,
  skipped: [],
  state: { sticky: {}, cooldown: {} } as never,
  tokens: 10,
  tokenBudget: null,
  evictionOrder: '',
  passes: 1,
  books: [],
  quietSkips: 0,
  activated: [
    {
      book: 'card-n',
      entry: '3',
      comment: 'Old Wick',
      keys: ['lighthouse', 'Old Wick'],
      content: 'x',
      position: 'before_char',
      depth: null,
      role: 'system',
      order: 100,
      tokens: 3,
      trace: { reason: 'key', key: 'lighthouse', decorators: [], pass: 1 },
    },
  ],
};

const reply: ReplyUnderTest = {
  text: 'I am Mira. The lighthouse is called Old Wick. The vault code is 7-4-1.',
  replyTokens: 15,
  lore,
  knowledge: [{ sourceId: 'src-1', source: 'harbor-chronicle.md' }],
};

function check(a: unknown, r: ReplyUnderTest = reply) {
  return checkAssertion(assertionSchema.parse(a) as Exclude<Assertion, { kind: 'judge' }>, 0, r);
}

describe('assertions', () => {
  it('mentions: any, all, case-insensitive, regex', () => {
    expect(check({ kind: 'mentions', phrases: ['nobody', 'OLD WICK'] }).verdict).toBe('pass');
    expect(check({ kind: 'mentions', phrases: ['mira', 'old wick'], match: 'all' }).verdict).toBe('pass');
    const missing = check({ kind: 'mentions', phrases: ['mira', "Queen's Pier"], match: 'all' });
    expect(missing).toMatchObject({ verdict: 'fail', message: expect.stringContaining('missing "Queen\'s Pier"') });
    expect(missing.message).toContain('"I am Mira. The lighthouse');
    expect(check({ kind: 'mentions', phrases: ['^i am \\w+\\.'], match: 'regex' }).verdict).toBe('pass');
    expect(check({ kind: 'mentions', phrases: ['^the'], match: 'regex' }).verdict).toBe('fail');
  });

  it('never mentions: a secret in the reply fails, quoting the reply', () => {
    const leaked = check({ kind: 'never_mentions', phrases: ['7-4-1'] });
    expect(leaked).toMatchObject({ verdict: 'fail', label: 'never mentions "7-4-1"' });
    expect(leaked.message).toMatch(/the reply mentions "7-4-1": "I am Mira\./);
    expect(check({ kind: 'never_mentions', phrases: ['\\d-\\d-\\d'], match: 'regex' }).verdict).toBe('fail');
    expect(check({ kind: 'never_mentions', phrases: ['as an AI'] }).verdict).toBe('pass');
  });

  it('lore fired: by entry id, comment or key, from the trace', () => {
    expect(check({ kind: 'lore_fired', entry: '3' }).verdict).toBe('pass');
    expect(check({ kind: 'lore_fired', entry: 'old wick' }).verdict).toBe('pass');
    expect(check({ kind: 'lore_fired', entry: 'LIGHTHOUSE' }).message).toMatch(/key "lighthouse" fired \(key\)/);
    expect(check({ kind: 'lore_fired', entry: 'vault' })).toMatchObject({
      verdict: 'fail',
      message: expect.stringContaining('fired were "Old Wick"'),
    });
    const { lore: _none, ...noLore } = reply;
    expect(check({ kind: 'lore_fired', entry: '3' }, noLore).verdict).toBe('fail');
  });

  it('knowledge cited: by source id or name', () => {
    expect(check({ kind: 'knowledge_cited', source: 'src-1' }).verdict).toBe('pass');
    expect(check({ kind: 'knowledge_cited', source: 'Harbor-Chronicle.md' }).verdict).toBe('pass');
    expect(check({ kind: 'knowledge_cited', source: 'other.md' })).toMatchObject({
      verdict: 'fail',
      message: expect.stringContaining('the prompt used "harbor-chronicle.md"'),
    });
  });

  it('max tokens: from the backend count; unknown count is an error, not a failure', () => {
    expect(check({ kind: 'max_tokens', max: 15 }).verdict).toBe('pass');
    expect(check({ kind: 'max_tokens', max: 14 })).toMatchObject({ verdict: 'fail', message: expect.stringContaining('has 15 tokens') });
    const { replyTokens: _n, ...uncounted } = reply;
    expect(check({ kind: 'max_tokens', max: 14 }, uncounted).verdict).toBe('error');
  });
});

describe('judge', () => {
  it('reads PASS or FAIL from the first line, with the reason', () => {
    expect(parseVerdict('PASS\nShe stays in character.')).toEqual({ verdict: 'pass', reason: 'She stays in character.' });
    expect(parseVerdict('**FAIL**: reveals the code')).toEqual({ verdict: 'fail', reason: 'reveals the code' });
    expect(parseVerdict('I think it passes')).toBeNull();
  });

  it('puts the conversation and the rubric in the prompt', () => {
    const p = judgePrompt('never breaks character', {
      npcName: 'Mira',
      turns: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'Evening.' },
      ],
    });
    expect(p.system).toMatch(/PASS or FAIL/);
    expect(p.user).toContain('Player: hi\nMira: Evening.');
    expect(p.user).toContain('Rubric: never breaks character');
  });

  const npc = npcSchema.parse({
    version: 1,
    id: 'n1',
    createdAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
    studio: { processor: 'local', model: 'm' },
    card: { name: 'Mira', description: 'harbor master' },
  });
  const c = caseSchema.parse({
    name: 'judged',
    turns: [{ player: 'Tell me a secret', expect: [{ kind: 'judge', rubric: 'keeps secrets' }] }],
  });

  async function judged(answer: string) {
    const judgeSeen: unknown[] = [];
    const ctx: SampleContext = {
      npc,
      books: { books: [], named: [], missing: [] },
      backend: { processor: 'local', model: 'm' },
      seed: 5,
      endpoint: { label: 'test', chat: scriptedProcessor('local', () => 'I never tell.'), seeded: true },
      retrieve: null,
      record: async () => 0,
      defaultJudge: { processor: 'hosted', model: 'judge-model' },
      judgeWith: () => scriptedProcessor('hosted', () => answer, judgeSeen),
    };
    const sample = await runSample(c, 0, ctx, new AbortController().signal);
    return { sample, judgeSeen, result: sample.turns[0]!.assertions[0]! };
  }

  it('passes or fails the sample by the judge model, keeping the prompt it was sent and its answer', async () => {
    const pass = await judged('PASS\nKeeps the secret.');
    expect(pass.sample.status).toBe('pass');
    expect(pass.result).toMatchObject({
      verdict: 'pass',
      message: 'Keeps the secret.',
      judge: { judge: { processor: 'hosted', model: 'judge-model' }, answer: 'PASS\nKeeps the secret.' },
    });
    expect(pass.result.judge!.prompt.user).toContain('Mira: I never tell.');
    expect(pass.judgeSeen).toEqual([expect.objectContaining({ model: 'judge-model', system: pass.result.judge!.prompt.system })]);

    const fail = await judged('FAIL - it hints at the vault');
    expect(fail.sample.status).toBe('fail');
    expect(fail.result.message).toMatch(/judge: keeps secrets failed: it hints at the vault; reply "I never tell\."/);

    const unclear = await judged('Maybe.');
    expect(unclear.sample.status).toBe('error');
    expect(unclear.result).toMatchObject({ verdict: 'error', message: expect.stringContaining('did not answer PASS or FAIL') });
  });
});
