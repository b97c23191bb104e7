import type { KnowledgeChunk } from '../../../shared/chat';
import type { Npc } from '../../../shared/npc';
import type { Assertion, AssertionResult, Backend, SampleResult, SampleTurn, SuiteCase } from '../../../shared/suite';
import { errorMessage } from '../../../shared/errors';
import { isAbortError } from '../engine/errors';
import type { NpcBooks } from '../lore/npc-lore';
import { assemblePrompt, chatRequestOf } from '../npc/prompt/assemble';
import { replaceMacros } from '../npc/prompt/macros';
import type { ChatMessage, ChatRequest, Processor } from '../processors/processor';
import { checkAssertion, describeAssertion, type ReplyUnderTest } from './assertions';
import { judgePrompt, parseVerdict } from './judge';

/** What one sample needs besides its case: the NPC as it was when the run started, and the services. */
export interface SampleContext {
  npc: Npc;
  books: NpcBooks;
  backend: Backend;
  endpoint: { label: string; chat: Processor; seeded: boolean };
  seed: number;
  temperature?: number;
  /** Knowledge retrieval for the NPC; null where the run has no knowledge store (the CLI). */
  retrieve: ((text: string, signal: AbortSignal) => Promise<KnowledgeChunk[]>) | null;
  /** Records the call with the usage tracker; its cost (null: a hosted model with no price). */
  record(call: {
    processor: Backend['processor'];
    model: string;
    promptTokens: number;
    replyTokens: number;
    latencyMs: number;
  }): Promise<number | null>;
  /** The processor that runs a judge model. */
  judgeWith(judge: Backend): Processor;
  /** The judge of assertions that name none (the suite's). */
  defaultJudge?: Backend;
}

interface Reply {
  text: string;
  usage?: { promptTokens: number; replyTokens: number; latencyMs: number };
}

/** Streams one request to the end; an abort or a backend failure is thrown as it came. */
async function complete(processor: Processor, request: ChatRequest, signal: AbortSignal): Promise<Reply> {
  let text = '';
  let usage: Reply['usage'];
  for await (const event of processor.chat(request, signal)) {
    if (event.type === 'token') text += event.text;
    else usage = { promptTokens: event.usage.promptTokens, replyTokens: event.usage.replyTokens, latencyMs: event.usage.latencyMs };
  }
  return { text, ...(usage ? { usage } : {}) };
}

/** The card as the case sets it up: its greeting, and the player's persona told to the NPC. */
function caseCard(npc: Npc, setup: SuiteCase['setup']) {
  const card = { ...npc.card };
  if (setup.greeting !== undefined) card.first_mes = setup.greeting;
  const persona = setup.persona?.description?.trim();
  if (persona) card.scenario = [card.scenario, `About {{user}}: ${persona}`].filter((t) => t.trim()).join('\n\n');
  return card;
}

/**
 * Runs one sample of a case: the opening (greeting, prior turns), then each player turn through the same prompt
 * assembly as a chat (card, lorebooks with their trace, knowledge), then the turn's assertions on the reply.
 * Nothing is written to the NPC's conversation. A backend failure ends the sample as `error`; an abort as
 * `interrupted`; otherwise `fail` when any assertion failed.
 */
export async function runSample(c: SuiteCase, index: number, ctx: SampleContext, signal: AbortSignal): Promise<SampleResult> {
  const started = performance.now();
  const names = { char: ctx.npc.card.name, user: c.setup.persona?.name?.trim() || 'User' };
  const card = caseCard(ctx.npc, c.setup);
  const greeting = replaceMacros(card.first_mes, names);
  const opening: ChatMessage[] = [...(greeting.trim() ? [{ role: 'assistant' as const, content: greeting }] : []), ...c.setup.priorTurns];
  const history: ChatMessage[] = [...opening];
  const studio = {
    ...ctx.npc.studio,
    processor: ctx.backend.processor,
    model: ctx.backend.model,
    sampling: { ...ctx.npc.studio.sampling, ...(ctx.temperature !== undefined ? { temperature: ctx.temperature } : {}) },
  };
  const turns: SampleTurn[] = [];
  const base = {
    case: c.name,
    backend: `${ctx.backend.processor}:${ctx.backend.model}`,
    sample: index,
    seed: ctx.seed,
    seeded: ctx.endpoint.seeded,
    endpoint: ctx.endpoint.label,
    opening: opening.map((m) => ({ role: m.role as 'user' | 'assistant', content: m.content })),
  };
  const end = (status: SampleResult['status'], error?: string): SampleResult => ({
    ...base,
    status,
    ...(error ? { error } : {}),
    ms: Math.round(performance.now() - started),
    turns,
  });
  try {
    for (const turn of c.turns) {
      history.push({ role: 'user', content: turn.player });
      const chunks = ctx.retrieve ? await ctx.retrieve(turn.player, signal) : [];
      signal.throwIfAborted();
      const prompt = assemblePrompt({
        npcId: ctx.npc.id,
        card,
        studio,
        history,
        chunks,
        userName: names.user,
        lore: { books: ctx.books.books, named: ctx.books.named, seed: ctx.seed },
      });
      const request: ChatRequest = { ...chatRequestOf(prompt), ...(ctx.endpoint.seeded ? { seed: ctx.seed } : {}) };
      const reply = await complete(ctx.endpoint.chat, request, signal);
      const costUsd = reply.usage
        ? await ctx.record({ processor: ctx.backend.processor, model: ctx.backend.model, ...reply.usage })
        : undefined;
      const knowledge = prompt.used.chunks.map((k) => ({ ...(k.sourceId ? { sourceId: k.sourceId } : {}), source: k.source }));
      const under: ReplyUnderTest = {
        text: reply.text,
        knowledge,
        ...(reply.usage ? { replyTokens: reply.usage.replyTokens } : {}),
        ...(prompt.used.lore ? { lore: prompt.used.lore } : {}),
      };
      history.push({ role: 'assistant', content: reply.text });
      const assertions: AssertionResult[] = [];
      for (const [i, a] of turn.expect.entries()) {
        if (a.kind === 'judge') assertions.push(await judge(a, i, ctx, history, signal));
        else if (a.kind === 'knowledge_cited' && !ctx.retrieve) assertions.push(noKnowledge(a, i));
        else assertions.push(checkAssertion(a, i, under));
      }
      turns.push({
        player: turn.player,
        reply: reply.text,
        knowledge,
        assertions,
        ...(reply.usage ? { usage: reply.usage } : {}),
        ...(costUsd !== undefined ? { costUsd } : {}),
        ...(prompt.used.lore ? { lore: prompt.used.lore } : {}),
      });
    }
  } catch (err) {
    if (signal.aborted || isAbortError(err)) return end('interrupted', errorMessage(signal.aborted ? signal.reason : err));
    return end('error', errorMessage(err));
  }
  const verdicts = turns.flatMap((t) => t.assertions.map((a) => a.verdict));
  return end(verdicts.includes('fail') ? 'fail' : verdicts.includes('error') ? 'error' : 'pass');
}

function noKnowledge(a: Assertion, index: number): AssertionResult {
  return {
    index,
    kind: a.kind,
    label: describeAssertion(a),
    verdict: 'error',
    message: 'this run has no knowledge store (the CLI runs without Chroma); run it in the studio',
  };
}

/** Grades the last reply with the judge model; an answer without PASS/FAIL, or a judge that fails, is `error`. */
async function judge(
  a: Extract<Assertion, { kind: 'judge' }>,
  index: number,
  ctx: SampleContext,
  history: ChatMessage[],
  signal: AbortSignal,
): Promise<AssertionResult> {
  const label = describeAssertion(a);
  const judgeBackend = a.judge ?? ctx.defaultJudge;
  if (!judgeBackend)
    return { index, kind: 'judge', label, verdict: 'error', message: "no judge model: set the suite's judge or one on the assertion" };
  const turns = history.filter((m) => m.role !== 'system').map((m) => ({ role: m.role as 'user' | 'assistant', content: m.content }));
  const prompt = judgePrompt(a.rubric, { npcName: ctx.npc.card.name, turns });
  const request: ChatRequest = {
    npcId: ctx.npc.id,
    model: judgeBackend.model,
    system: prompt.system,
    messages: [{ role: 'user', content: prompt.user }],
    sampling: { temperature: 0 },
    ...(judgeBackend.processor === 'local' ? { seed: ctx.seed } : {}),
  };
  let answer: Reply;
  try {
    answer = await complete(ctx.judgeWith(judgeBackend), request, signal);
  } catch (err) {
    if (signal.aborted || isAbortError(err)) throw err;
    return {
      index,
      kind: 'judge',
      label,
      verdict: 'error',
      message: `the judge ${judgeBackend.processor}:${judgeBackend.model} failed: ${errorMessage(err)}`,
      judge: { judge: judgeBackend, prompt, answer: '' },
    };
  }
  if (answer.usage) await ctx.record({ processor: judgeBackend.processor, model: judgeBackend.model, ...answer.usage });
  const outcome = { judge: judgeBackend, prompt, answer: answer.text };
  const verdict = parseVerdict(answer.text);
  if (!verdict)
    return {
      index,
      kind: 'judge',
      label,
      verdict: 'error',
      message: `the judge did not answer PASS or FAIL: "${answer.text.slice(0, 160)}"`,
      judge: outcome,
    };
  const message =
    verdict.verdict === 'pass'
      ? verdict.reason
      : `${label} failed: ${verdict.reason}; reply "${(history.at(-1)?.content ?? '').slice(0, 160)}"`;
  return { index, kind: 'judge', label, verdict: verdict.verdict, message, judge: outcome };
}
