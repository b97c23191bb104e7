/** The checks real Bedrock applies to a Converse body (messages, roles, blank text, inferenceConfig), with its wording. */

interface Body {
  messages?: unknown;
  inferenceConfig?: { temperature?: unknown; topP?: unknown; maxTokens?: unknown };
}

export function validationProblem(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null) return 'The request body is not a JSON object.';
  const body = raw as Body;
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return 'A conversation must start with a user message. Try again with a conversation that starts with a user message.';
  }
  const messages = body.messages as { role?: unknown; content?: unknown }[];
  if (messages[0]!.role !== 'user') {
    return 'A conversation must start with a user message. Try again with a conversation that starts with a user message.';
  }
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i]!;
    if (message.role !== 'user' && message.role !== 'assistant') {
      return (
        `1 validation error detected: Value '${String(message.role)}' at 'messages.${i + 1}.member.role' ` +
        'failed to satisfy constraint: Member must satisfy enum value set: [user, assistant]'
      );
    }
    if (i > 0 && messages[i - 1]!.role === message.role) {
      return (
        'A conversation must alternate between user and assistant roles. ' +
        'Make sure the conversation alternates between user and assistant roles and try again.'
      );
    }
    const content = Array.isArray(message.content) ? (message.content as { text?: unknown }[]) : [];
    if (content.length === 0)
      return (
        `The content field in the Message object at messages.${i} is empty. ` +
        'Add a ContentBlock object to the content field and try again.'
      );
    for (let j = 0; j < content.length; j++) {
      const text = content[j]!.text;
      if (typeof text !== 'string' || text.trim() === '') {
        return (
          `The text field in the ContentBlock object at messages.${i}.content.${j} is blank. ` +
          'Add text to the text field, and try again.'
        );
      }
    }
  }
  const config = body.inferenceConfig ?? {};
  if (config.temperature !== undefined && !(typeof config.temperature === 'number' && config.temperature >= 0 && config.temperature <= 1)) {
    return (
      `1 validation error detected: Value '${String(config.temperature)}' at 'inferenceConfig.temperature' ` +
      'failed to satisfy constraint: Member must have value between 0 and 1'
    );
  }
  if (config.topP !== undefined && !(typeof config.topP === 'number' && config.topP >= 0 && config.topP <= 1)) {
    return (
      `1 validation error detected: Value '${String(config.topP)}' at 'inferenceConfig.topP' ` +
      'failed to satisfy constraint: Member must have value between 0 and 1'
    );
  }
  if (config.maxTokens !== undefined && !(Number.isInteger(config.maxTokens) && (config.maxTokens as number) >= 1)) {
    return (
      `1 validation error detected: Value '${String(config.maxTokens)}' at 'inferenceConfig.maxTokens' ` +
      'failed to satisfy constraint: Member must have value greater than or equal to 1'
    );
  }
  return null;
}
