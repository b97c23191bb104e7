import type { ReplyLoreTrace } from '../../../shared/lorebook-trace';
import type { Assertion, AssertionResult } from '../../../shared/suite';

/** What an assertion looks at: one reply, with what its prompt used. */
export interface ReplyUnderTest {
  text: string;
  /** Reply tokens as the backend counted them; undefined when the backend did not say. */
  replyTokens?: number;
  lore?: ReplyLoreTrace;
  knowledge: { sourceId?: string; source: string }[];
}

const QUOTE_LIMIT = 160;

/** The reply, flattened and cut, for failure messages. */
export function quoteReply(text: string, limit = QUOTE_LIMIT): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return `"${flat.length > limit ? `${flat.slice(0, limit - 1)}…` : flat}"`;
}

const list = (phrases: readonly string[]) => phrases.map((p) => `"${p}"`).join(', ');

/** The assertion in words, as results and JUnit name it. */
export function describeAssertion(a: Assertion): string {
  switch (a.kind) {
    case 'mentions':
      return a.match === 'regex' ? `mentions /${a.phrases.join('/ or /')}/` : `mentions ${a.match} of ${list(a.phrases)}`;
    case 'never_mentions':
      return a.match === 'regex' ? `never mentions /${a.phrases.join('/ or /')}/` : `never mentions ${list(a.phrases)}`;
    case 'lore_fired':
      return `lore fired: "${a.entry}"`;
    case 'knowledge_cited':
      return `knowledge cited: "${a.source}"`;
    case 'max_tokens':
      return `at most ${a.max} tokens`;
    case 'judge':
      return `judge: ${a.rubric.length > 80 ? `${a.rubric.slice(0, 79)}…` : a.rubric}`;
  }
}

/** Which phrases occur in the text: plain ones case-insensitively, patterns with the `i` flag. */
function found(text: string, phrases: readonly string[], regex: boolean): string[] {
  const lower = text.toLowerCase();
  return phrases.filter((p) => (regex ? new RegExp(p, 'i').test(text) : lower.includes(p.toLowerCase())));
}

function entryMatches(trace: ReplyLoreTrace, wanted: string): string | null {
  const w = wanted.toLowerCase();
  for (const e of trace.activated) {
    if (e.entry.toLowerCase() === w || e.comment?.toLowerCase() === w)
      return `entry ${e.entry}${e.comment ? ` (${e.comment})` : ''} fired (${e.trace.reason})`;
    const key = e.keys.find((k) => k.toLowerCase() === w);
    if (key !== undefined) return `entry ${e.entry}${e.comment ? ` (${e.comment})` : ''} with key "${key}" fired (${e.trace.reason})`;
  }
  return null;
}

/** Checks every assertion but `judge` (judge.ts grades those). */
export function checkAssertion(a: Exclude<Assertion, { kind: 'judge' }>, index: number, reply: ReplyUnderTest): AssertionResult {
  const label = describeAssertion(a);
  const result = (verdict: AssertionResult['verdict'], message: string): AssertionResult => ({
    index,
    kind: a.kind,
    label,
    verdict,
    message,
  });
  const quoted = quoteReply(reply.text);
  switch (a.kind) {
    case 'mentions': {
      const hits = found(reply.text, a.phrases, a.match === 'regex');
      const ok = a.match === 'all' ? hits.length === a.phrases.length : hits.length > 0;
      if (ok) return result('pass', `found ${list(hits)}`);
      const missing = a.phrases.filter((p) => !hits.includes(p));
      return result('fail', `${label} failed: ${a.match === 'all' ? `missing ${list(missing)}` : 'none found'} in the reply ${quoted}`);
    }
    case 'never_mentions': {
      const hits = found(reply.text, a.phrases, a.match === 'regex');
      if (hits.length === 0) return result('pass', 'none found');
      return result('fail', `${label} failed: the reply mentions ${list(hits)}: ${quoted}`);
    }
    case 'lore_fired': {
      if (!reply.lore) return result('fail', `${label} failed: no lorebook was scanned for this reply`);
      const why = entryMatches(reply.lore, a.entry);
      if (why) return result('pass', why);
      const fired = reply.lore.activated.map((e) => e.comment ?? e.entry);
      return result('fail', `${label} failed: ${fired.length ? `fired were ${list(fired)}` : 'no entry fired'}; reply ${quoted}`);
    }
    case 'knowledge_cited': {
      const w = a.source.toLowerCase();
      const hit = reply.knowledge.find((k) => k.sourceId?.toLowerCase() === w || k.source.toLowerCase() === w);
      if (hit) return result('pass', `a chunk of ${hit.source} went into the prompt`);
      const used = [...new Set(reply.knowledge.map((k) => k.source))];
      return result(
        'fail',
        `${label} failed: ${used.length ? `the prompt used ${list(used)}` : 'no knowledge went into the prompt'}; reply ${quoted}`,
      );
    }
    case 'max_tokens': {
      if (reply.replyTokens === undefined) return result('error', `${label}: the backend did not report how many tokens the reply had`);
      if (reply.replyTokens <= a.max) return result('pass', `${reply.replyTokens} tokens`);
      return result('fail', `${label} failed: the reply has ${reply.replyTokens} tokens: ${quoted}`);
    }
  }
}
