import { sendJson } from './http-io';
import { EMBEDDING_DIM, hashedEmbedding } from './embedding';
import { tokenize } from './conventions';
import { ns, optionsOf, pause, resetConnection, resolveModel, type Body, type ModelRequestContext } from './model-request';

function inputsOf(body: Body, field: 'input' | 'prompt'): string[] {
  const input = body[field];
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.every((x) => typeof x === 'string')) return input as string[];
  throw new TypeError(`${field} must be a string or an array of strings`);
}

function dimensionsOf(body: Body): number {
  const dims = body.dimensions;
  if (dims === undefined || dims === null) return EMBEDDING_DIM;
  if (typeof dims !== 'number' || !Number.isInteger(dims) || dims < 1 || dims > EMBEDDING_DIM) {
    throw new TypeError(`dimensions must be an integer from 1 to ${EMBEDDING_DIM}`);
  }
  return dims;
}

/** Truncating to fewer dimensions renormalises, as Matryoshka-style models do. */
function embedOne(text: string, dims: number): number[] {
  const full = hashedEmbedding(text);
  if (dims === EMBEDDING_DIM) return full;
  const cut = full.slice(0, dims);
  const norm = Math.hypot(...cut);
  return norm === 0 ? cut : cut.map((v) => v / norm);
}

async function prepare(ctx: ModelRequestContext): Promise<boolean> {
  if (!(await pause(ctx.switches.firstTokenDelayMs, ctx.signal))) return false;
  if (ctx.switches.resetAfterTokens !== null) {
    resetConnection(ctx);
    return false;
  }
  return true;
}

/** POST /api/embed: `{model, input}` → `{model, embeddings, total_duration, load_duration, prompt_eval_count}`. */
export async function handleEmbed(ctx: ModelRequestContext, body: Body): Promise<void> {
  const spec = resolveModel(ctx, body);
  if (!spec) return;
  const inputs = inputsOf(body, 'input');
  const dims = dimensionsOf(body);
  optionsOf(body);
  const started = process.hrtime.bigint();
  const wasLoaded = ctx.catalogue.isLoaded(spec);
  if (!(await prepare(ctx))) return;
  ctx.catalogue.touch(spec, body.keep_alive, undefined);
  const loadNs = wasLoaded ? 0 : ns(started);
  sendJson(ctx.res, 200, {
    model: spec.name,
    embeddings: inputs.map((text) => embedOne(text, dims)),
    total_duration: ns(started),
    load_duration: loadNs,
    prompt_eval_count: inputs.reduce((n, text) => n + tokenize(text).length, 0),
  });
}

/** POST /api/embeddings (the older single-text endpoint): `{model, prompt}` → `{embedding}`. */
export async function handleEmbeddings(ctx: ModelRequestContext, body: Body): Promise<void> {
  const spec = resolveModel(ctx, body);
  if (!spec) return;
  const [text] = inputsOf(body, 'prompt');
  if (!(await prepare(ctx))) return;
  ctx.catalogue.touch(spec, body.keep_alive, undefined);
  sendJson(ctx.res, 200, { embedding: hashedEmbedding(text ?? '') });
}
