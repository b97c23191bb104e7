import { sendError, sendJson, writeChunk, writeFlushed } from './http-io';
import { fitTokens, promptTokenCount, replyText, tokenize, type ChatTurnMessage } from './conventions';
import { fnv1a } from './embedding';
import { keepAliveMs, type ModelSpec } from './models';
import { ns, optionsOf, pause, resetConnection, resolveModel, type Body, type ModelRequestContext } from './model-request';

type Kind = 'chat' | 'generate';

interface Reply {
  kind: Kind;
  spec: ModelSpec;
  stream: boolean;
  tokens: string[];
  doneReason: 'stop' | 'length';
  promptTokens: number;
}

function messagesOf(body: Body): ChatTurnMessage[] {
  const messages = body.messages ?? [];
  if (!Array.isArray(messages)) throw new TypeError('messages must be an array');
  return messages.map((m: unknown, i) => {
    const { role, content } = (m ?? {}) as { role?: unknown; content?: unknown };
    if (typeof role !== 'string' || typeof content !== 'string') throw new TypeError(`messages[${i}] needs a string role and content`);
    return { role, content };
  });
}

/** Builds the reply tokens: the natural reply, sized by the replyTokens switch, capped by num_predict. */
function plan(
  ctx: ModelRequestContext,
  body: Body,
  messages: ChatTurnMessage[],
  system: string,
): Pick<Reply, 'tokens' | 'doneReason' | 'promptTokens'> {
  const natural = tokenize(replyText(messages, system));
  const sized = ctx.switches.replyTokens === null ? natural : fitTokens(natural, ctx.switches.replyTokens);
  const numPredict = optionsOf(body).num_predict;
  const capped = typeof numPredict === 'number' && numPredict >= 0 && numPredict < sized.length;
  return {
    tokens: capped ? sized.slice(0, numPredict) : sized,
    doneReason: capped ? 'length' : 'stop',
    promptTokens: promptTokenCount(messages, system),
  };
}

function checkCapable(ctx: ModelRequestContext, spec: ModelSpec, body: Body, kind: Kind): boolean {
  if (spec.capabilities.includes('completion')) return true;
  sendError(ctx.res, 400, `"${String(body.model)}" does not support ${kind}`);
  return false;
}

export async function handleChat(ctx: ModelRequestContext, body: Body): Promise<void> {
  const spec = resolveModel(ctx, body);
  if (!spec || !checkCapable(ctx, spec, body, 'chat')) return;
  const messages = messagesOf(body);
  await respond(ctx, body, { kind: 'chat', spec, stream: body.stream !== false, ...plan(ctx, body, messages, '') });
}

export async function handleGenerate(ctx: ModelRequestContext, body: Body): Promise<void> {
  const spec = resolveModel(ctx, body);
  if (!spec || !checkCapable(ctx, spec, body, 'generate')) return;
  if (body.prompt !== undefined && typeof body.prompt !== 'string') throw new TypeError('prompt must be a string');
  const system = typeof body.system === 'string' ? body.system : '';
  const messages: ChatTurnMessage[] = body.prompt ? [{ role: 'user', content: body.prompt as string }] : [];
  await respond(ctx, body, { kind: 'generate', spec, stream: body.stream !== false, ...plan(ctx, body, messages, system) });
}

function piece(reply: Reply, text: string, done: boolean): Record<string, unknown> {
  const head = { model: reply.spec.name, created_at: new Date().toISOString() };
  return reply.kind === 'chat' ? { ...head, message: { role: 'assistant', content: text }, done } : { ...head, response: text, done };
}

interface Timing {
  startedNs: bigint;
  firstNs: bigint;
  wasLoaded: boolean;
}

function finalPiece(reply: Reply, text: string, t: Timing): Record<string, unknown> {
  const waited = ns(t.startedNs, t.firstNs);
  const now = process.hrtime.bigint();
  return {
    ...piece(reply, text, true),
    done_reason: reply.doneReason,
    ...(reply.kind === 'generate' ? { context: reply.tokens.map((tok) => fnv1a(tok) % 32000) } : {}),
    total_duration: ns(t.startedNs, now),
    load_duration: t.wasLoaded ? 0 : waited,
    prompt_eval_count: reply.promptTokens,
    prompt_eval_duration: t.wasLoaded ? waited : 0,
    eval_count: reply.tokens.length,
    eval_duration: ns(t.firstNs, now),
  };
}

async function respond(ctx: ModelRequestContext, body: Body, reply: Reply): Promise<void> {
  keepAliveMs(body.keep_alive); // a malformed keep_alive is a 400 before any waiting
  const { switches, res, signal } = ctx;
  const startedNs = process.hrtime.bigint();
  const wasLoaded = ctx.catalogue.isLoaded(reply.spec);
  if (!(await pause(switches.firstTokenDelayMs, signal))) return;
  ctx.catalogue.touch(reply.spec, body.keep_alive, optionsOf(body).num_ctx);
  const timing: Timing = { startedNs, firstNs: process.hrtime.bigint(), wasLoaded };
  if (switches.resetAfterTokens === 0 || (!reply.stream && switches.resetAfterTokens !== null)) return resetConnection(ctx);
  if (!reply.stream) return sendJson(res, 200, finalPiece(reply, reply.tokens.join(''), timing));

  res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
  for (let i = 0; i < reply.tokens.length; i++) {
    if (i > 0 && !(await pause(switches.tokenDelayMs, signal))) return;
    if (signal.aborted) return;
    const line = JSON.stringify(piece(reply, reply.tokens[i]!, false)) + '\n';
    if (switches.resetAfterTokens === i + 1) {
      await writeFlushed(res, line);
      ctx.onTokenSent(performance.now());
      return resetConnection(ctx);
    }
    await writeChunk(res, line);
    ctx.onTokenSent(performance.now());
  }
  if (signal.aborted) return;
  res.end(JSON.stringify(finalPiece(reply, '', timing)) + '\n');
}
