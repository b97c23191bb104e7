import type { Backend } from '../../../shared/suite';

/** The conversation a judge reads: the turns so far, the graded reply last. */
export interface JudgedExchange {
  npcName: string;
  turns: { role: 'user' | 'assistant'; content: string }[];
}

export const JUDGE_SYSTEM =
  'You grade one reply of a game character (an NPC) against a rubric written by its designer. ' +
  'Read the conversation and the rubric. Answer on the first line with exactly PASS or FAIL, ' +
  'then on the next line one sentence giving the reason.';

/** The prompt the judge model is sent; stored with the result and shown to the designer. */
export function judgePrompt(rubric: string, exchange: JudgedExchange): { system: string; user: string } {
  const lines = exchange.turns.map((t) => `${t.role === 'user' ? 'Player' : exchange.npcName}: ${t.content}`);
  const user = [
    'Conversation (the last line is the reply to grade):',
    ...lines,
    '',
    `Rubric: ${rubric}`,
    '',
    'Does the last reply meet the rubric? First line PASS or FAIL, second line the reason.',
  ].join('\n');
  return { system: JUDGE_SYSTEM, user };
}

/** The verdict in the judge's answer: its first word PASS or FAIL (any case, markdown stripped); null when neither. */
export function parseVerdict(answer: string): { verdict: 'pass' | 'fail'; reason: string } | null {
  const trimmed = answer.replace(/^[\s*_#>`]+/, '');
  const m = /^(PASS|FAIL)\b[\s:.\-*_]*([\s\S]*)$/i.exec(trimmed);
  if (!m) return null;
  const reason = m[2]!.replace(/\s+/g, ' ').trim();
  return { verdict: m[1]!.toLowerCase() as 'pass' | 'fail', reason: reason || '(the judge gave no reason)' };
}

export function judgeLabel(b: Backend): string {
  return `${b.processor}:${b.model}`;
}
