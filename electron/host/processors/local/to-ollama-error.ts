import { isAbortError } from '../../engine/errors';
import {
  ModelMissingError,
  OllamaConnectionLostError,
  OllamaError,
  OllamaHttpError,
  OllamaTimeoutError,
  OllamaUnreachableError,
} from './ollama-errors';

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const DROPPED = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

export interface MappingContext {
  url: string;
  model?: string;
  firstByteMs: number;
  nextChunkMs: number;
  healthMs: number;
}

/** The error and every cause under it (undici wraps the socket error in `cause`; happy eyeballs in AggregateError). */
function chain(err: unknown): Array<{ name?: string; code?: string; message?: string }> {
  const out: Array<{ name?: string; code?: string; message?: string }> = [];
  const stack: unknown[] = [err];
  while (stack.length > 0 && out.length < 20) {
    const e = stack.pop();
    if (!e || typeof e !== 'object') continue;
    const { name, code, message, cause, errors } = e as {
      name?: string;
      code?: string;
      message?: string;
      cause?: unknown;
      errors?: unknown;
    };
    out.push({ name, code, message });
    if (cause) stack.push(cause);
    if (Array.isArray(errors)) stack.push(...(errors as unknown[]));
  }
  return out;
}

/** Turns what the ollama client or undici threw into one of the typed errors; abort errors pass through unchanged. */
export function toOllamaError(err: unknown, ctx: MappingContext): unknown {
  if (err instanceof OllamaError || isAbortError(err)) return err;
  const links = chain(err);
  const codes = links.map((e) => e.code).filter((c): c is string => typeof c === 'string');
  const top = (err ?? {}) as { name?: string; status_code?: number; message?: string };

  if (top.name === 'ResponseError' && typeof top.status_code === 'number') {
    const message = top.message ?? '';
    if (top.status_code === 404 && /not found/i.test(message) && ctx.model) return new ModelMissingError(ctx.model, ctx.url, err);
    return new OllamaHttpError(ctx.url, top.status_code, message, err);
  }
  if (links.some((e) => e.name === 'TimeoutError')) return new OllamaTimeoutError(ctx.url, 'health check', ctx.healthMs, err);
  if (codes.includes('UND_ERR_HEADERS_TIMEOUT')) return new OllamaTimeoutError(ctx.url, 'first byte', ctx.firstByteMs, err);
  if (codes.includes('UND_ERR_BODY_TIMEOUT')) return new OllamaTimeoutError(ctx.url, 'next chunk', ctx.nextChunkMs, err);
  const unreachable = codes.find((c) => UNREACHABLE.has(c));
  if (unreachable) return new OllamaUnreachableError(ctx.url, unreachable, err);
  const dropped = codes.find((c) => DROPPED.has(c));
  if (dropped || links.some((e) => e.message === 'terminated')) return new OllamaConnectionLostError(ctx.url, dropped ?? 'terminated', err);
  if (top.message === 'Did not receive done or success response in stream.') {
    return new OllamaConnectionLostError(ctx.url, 'the reply ended without its final message', err);
  }
  // A `{"error": ...}` line inside a stream arrives as a plain Error carrying Ollama's message.
  return new OllamaError(
    `Ollama at ${ctx.url} failed: ${top.message ?? String(err)}`,
    ctx.url,
    'See the Ollama server logs for the cause.',
    { cause: err },
  );
}
