import type { ChatRequest as OllamaChatRequest, Message, Options } from 'ollama';
import { z } from 'zod';
import { formatIssuePath } from '../../../../shared/errors';
import { samplingSchema } from '../../../../shared/npc';
import type { ChatRequest } from '../processor';
import { ChatRequestError } from './local-processor-errors';

const nonBlank = z.string().trim().min(1, { message: 'must not be empty' });

const chatRequestSchema = z.object({
  npcId: z.string(),
  model: nonBlank,
  system: z.string(),
  messages: z.array(z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() })),
  sampling: samplingSchema.optional(),
  seed: z.int().optional(),
});

export function validateChatRequest(request: ChatRequest): ChatRequest {
  const parsed = chatRequestSchema.safeParse(request);
  if (!parsed.success) throw new ChatRequestError(parsed.error.issues.map((i) => ({ path: formatIssuePath(i.path), message: i.message })));
  return request;
}

/** The studio's request in Ollama's terms: system prompt first, sampling as Ollama options, keep_alive top level. */
export function toOllamaChat(request: ChatRequest): Omit<OllamaChatRequest, 'stream'> {
  const s = request.sampling ?? {};
  const options: Partial<Options> = {};
  if (s.temperature !== undefined) options.temperature = s.temperature;
  if (s.topP !== undefined) options.top_p = s.topP;
  if (s.numCtx !== undefined) options.num_ctx = s.numCtx;
  if (s.maxTokens !== undefined) options.num_predict = s.maxTokens;
  if (request.seed !== undefined) options.seed = request.seed;
  const messages: Message[] = request.system ? [{ role: 'system', content: request.system }] : [];
  for (const m of request.messages) messages.push({ role: m.role, content: m.content });
  return {
    model: request.model,
    messages,
    ...(Object.keys(options).length > 0 ? { options } : {}),
    ...(s.keepAlive !== undefined ? { keep_alive: s.keepAlive } : {}),
  };
}
