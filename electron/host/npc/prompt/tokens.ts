import type { ChatMessage } from '../../processors/processor';

/**
 * The studio's token estimate, the same for every model: ceil(characters / 4) for a text, plus 4 per chat
 * message for the role markers a chat template adds. It is an estimate; Ollama's reply reports real counts.
 */
export const TOKEN_ESTIMATOR = 'ceil(chars/4) + 4 per message';
export const MESSAGE_OVERHEAD_TOKENS = 4;

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function messageTokens(message: ChatMessage): number {
  return estimateTokens(message.content) + MESSAGE_OVERHEAD_TOKENS;
}
