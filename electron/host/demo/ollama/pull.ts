import { sendError, sendJson, writeChunk } from './http-io';
import { digest } from './models';
import { pause, type Body, type ModelRequestContext } from './model-request';

/** What became of one /api/pull: finished, or the client closed the stream midway (the cancel the studio sends). */
export interface PullRecord {
  model: string;
  outcome: 'success' | 'cancelled' | 'failed';
  /** Bytes reported as completed when it ended. */
  completed: number;
  total: number;
}

/**
 * POST /api/pull as Ollama streams it: "pulling manifest", then the layer's progress with total/completed in
 * `pullSteps` parts `pullStepDelayMs` apart, "verifying sha256 digest", "writing manifest", "success". A model the
 * registry does not have answers `{"error": "pull model manifest: file does not exist"}` as the stream's line.
 */
export async function handlePull(ctx: ModelRequestContext, body: Body, record: (r: PullRecord) => void): Promise<void> {
  const model = body.model ?? body.name;
  if (typeof model !== 'string' || model === '') return sendError(ctx.res, 400, 'model is required');
  const spec = ctx.catalogue.findPullable(model);
  const stream = body.stream !== false;
  if (!spec) {
    record({ model, outcome: 'failed', completed: 0, total: 0 });
    return stream
      ? line(ctx, { error: 'pull model manifest: file does not exist' }, true)
      : sendError(ctx.res, 500, 'pull model manifest: file does not exist');
  }
  const total = spec.sizeBytes;
  const layer = `sha256:${digest(spec.name)}`;
  const steps = Math.max(1, ctx.switches.pullSteps);
  let completed = 0;
  if (stream) {
    ctx.res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
    await line(ctx, { status: 'pulling manifest' });
  }
  for (let step = 1; step <= steps; step++) {
    if (!(await pause(ctx.switches.pullStepDelayMs, ctx.signal))) {
      record({ model: spec.name, outcome: 'cancelled', completed, total });
      return;
    }
    completed = Math.round((total * step) / steps);
    if (stream) await line(ctx, { status: `pulling ${layer.slice(7, 19)}`, digest: layer, total, completed });
  }
  ctx.catalogue.install(spec);
  record({ model: spec.name, outcome: 'success', completed, total });
  if (!stream) return sendJson(ctx.res, 200, { status: 'success' });
  await line(ctx, { status: 'verifying sha256 digest' });
  await line(ctx, { status: 'writing manifest' });
  await line(ctx, { status: 'success' }, true);
}

/** DELETE /api/delete: 200 with an empty body, or 404 when the model is not installed. */
export function handleDelete(ctx: ModelRequestContext, body: Body): void {
  const model = body.model ?? body.name;
  if (typeof model !== 'string' || model === '') return sendError(ctx.res, 400, 'model is required');
  if (!ctx.catalogue.remove(model)) return sendError(ctx.res, 404, `model '${model}' not found`);
  ctx.res.writeHead(200, { 'Content-Length': 0 });
  ctx.res.end();
}

async function line(ctx: ModelRequestContext, value: unknown, last = false): Promise<void> {
  if (!ctx.res.headersSent) ctx.res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
  await writeChunk(ctx.res, `${JSON.stringify(value)}\n`);
  if (last) ctx.res.end();
}
