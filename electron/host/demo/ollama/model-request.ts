import type { IncomingMessage, ServerResponse } from 'node:http';
import { setImmediate as yieldTurn, setTimeout as sleep } from 'node:timers/promises';
import { modelNotFoundMessage, sendError } from './http-io';
import type { ModelCatalogue, ModelSpec } from './models';
import type { Switches } from './switches';

/** What a model endpoint handler gets: the exchange, a snapshot of the switches, and a signal that fires when the
 *  client goes away or the server stops. */
export interface ModelRequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  switches: Readonly<Switches>;
  catalogue: ModelCatalogue;
  signal: AbortSignal;
  /** Called as each streamed token is handed to the socket (performance.now()). */
  onTokenSent(at: number): void;
}

export type Body = Record<string, unknown>;

/** Resolves the request's model, or answers the error Ollama would give and returns undefined. */
export function resolveModel(ctx: ModelRequestContext, body: Body): ModelSpec | undefined {
  const model = body.model ?? body.name;
  if (typeof model !== 'string' || model === '') {
    sendError(ctx.res, 400, 'model is required');
    return undefined;
  }
  const spec = ctx.switches.modelNotFound ? undefined : ctx.catalogue.find(model);
  if (!spec) sendError(ctx.res, 404, modelNotFoundMessage(model));
  return spec;
}

/** Waits `ms` (or just yields a turn when 0); false if the request was abandoned meanwhile. */
export async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    if (ms > 0) await sleep(ms, undefined, { signal });
    else await yieldTurn(undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

/** Answers with a TCP reset (RST), as when a server crashes mid-reply. */
export function resetConnection(ctx: ModelRequestContext): void {
  ctx.req.socket.resetAndDestroy();
}

export function ns(fromNs: bigint, toNs: bigint = process.hrtime.bigint()): number {
  return Number(toNs - fromNs);
}

/** Validates `options` loosely as Ollama does: an object if present. */
export function optionsOf(body: Body): Record<string, unknown> {
  const options = body.options;
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) throw new TypeError('options must be an object');
  return options as Record<string, unknown>;
}
