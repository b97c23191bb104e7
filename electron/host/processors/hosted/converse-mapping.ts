import type { ConverseStreamCommandInput, Message } from '@aws-sdk/client-bedrock-runtime';
import type { ChatRequest } from '../processor';
import { BedrockError } from './bedrock-error';

/**
 * Converse requires the conversation to open with a user turn; an NPC greeting (first_mes) opens with the
 * assistant, so a neutral user turn is put before it (the convention SillyTavern uses for Claude).
 */
export const OPENING_USER_TURN = '[Start a new chat]';

/** The assembled NPC prompt as a Converse request: system → `system`, turns → `messages`, sampling → `inferenceConfig`. */
export function toConverseInput(request: ChatRequest): ConverseStreamCommandInput {
  const invalid = (why: string) => new BedrockError('validation', `Cannot send this chat to Bedrock: ${why}`, request.model, null);
  if (!request.model.trim()) throw invalid('no model id is set for this NPC');

  const systemParts = [request.system];
  const turns: { role: 'user' | 'assistant'; text: string }[] = [];
  for (const message of request.messages) {
    if (!message.content.trim()) continue; // Bedrock rejects blank text blocks
    if (message.role === 'system') {
      systemParts.push(message.content);
      continue;
    }
    const last = turns.at(-1);
    if (last && last.role === message.role) last.text += `\n\n${message.content}`;
    else turns.push({ role: message.role, text: message.content });
  }
  if (!turns.some((t) => t.role === 'user')) throw invalid('the conversation has no user message');
  if (turns[0]!.role === 'assistant') turns.unshift({ role: 'user', text: OPENING_USER_TURN });

  const messages: Message[] = turns.map((t) => ({ role: t.role, content: [{ text: t.text }] }));
  const systemText = systemParts.filter((part) => part.trim()).join('\n\n');
  const { temperature, topP, maxTokens } = request.sampling ?? {};
  if (temperature !== undefined && !(temperature >= 0 && temperature <= 1))
    throw invalid(`temperature ${temperature} is outside Bedrock's range 0 to 1`);
  if (topP !== undefined && !(topP >= 0 && topP <= 1)) throw invalid(`top_p ${topP} is outside the range 0 to 1`);
  if (maxTokens !== undefined && !(Number.isInteger(maxTokens) && maxTokens >= 1))
    throw invalid(`max tokens ${maxTokens} must be a whole number of at least 1`);
  const inferenceConfig = {
    ...(temperature !== undefined ? { temperature } : {}),
    ...(topP !== undefined ? { topP } : {}),
    ...(maxTokens !== undefined ? { maxTokens } : {}),
  };

  return {
    modelId: request.model,
    messages,
    ...(systemText ? { system: [{ text: systemText }] } : {}),
    ...(Object.keys(inferenceConfig).length > 0 ? { inferenceConfig } : {}),
  };
}
