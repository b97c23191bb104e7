/**
 * The test server's reply convention, exported so tests can predict exactly what reaches them.
 *
 * - The NPC's name is what follows "You are " in the system prompt, up to the first `.`, `,` or line end
 *   ("NPC" when there is no such phrase).
 * - Lore lines are the system prompt's lines that start with "- " (markdown bullets), in order.
 * - The reply is `<name>: you said "<last user text>".` followed, when there is lore, by
 *   ` I remember: "<lore 1>"; "<lore 2>".`, then `extraWords` filler words ` w1 w2 ...` when that switch is set.
 * - The reply streams as whitespace-ended words: each token is a word plus the space after it.
 * - inputTokens counts the whitespace-separated words of the system prompt and every message;
 *   outputTokens counts the streamed tokens.
 */

export interface ConverseTextRequest {
  system?: { text?: string }[];
  messages?: { role?: string; content?: { text?: string }[] }[];
}

export function npcNameOf(system: string): string {
  const m = /You are ([^.,\n]+)/.exec(system);
  return m ? m[1]!.trim() : 'NPC';
}

export function loreLinesOf(system: string): string[] {
  return system
    .split('\n')
    .filter((line) => line.startsWith('- '))
    .map((line) => line.slice(2).trim())
    .filter((line) => line.length > 0);
}

export function systemTextOf(request: ConverseTextRequest): string {
  return (request.system ?? []).map((block) => block.text ?? '').join('\n');
}

function messageText(message: { content?: { text?: string }[] }): string {
  return (message.content ?? []).map((block) => block.text ?? '').join('\n');
}

export function lastUserTextOf(request: ConverseTextRequest): string {
  const users = (request.messages ?? []).filter((m) => m.role === 'user');
  const last = users.at(-1);
  return last ? messageText(last) : '';
}

export function replyTextFor(request: ConverseTextRequest, extraWords = 0): string {
  const system = systemTextOf(request);
  let text = `${npcNameOf(system)}: you said "${lastUserTextOf(request)}".`;
  const lore = loreLinesOf(system);
  if (lore.length > 0) text += ` I remember: ${lore.map((line) => `"${line}"`).join('; ')}.`;
  for (let i = 1; i <= extraWords; i++) text += ` w${i}`;
  return text;
}

/** Splits text into streamed tokens; joining them gives the text back exactly. */
export function tokensOf(text: string): string[] {
  return text.split(/(?<=\s)(?=\S)/).filter((t) => t.length > 0);
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter((w) => w.length > 0).length;
}

export function inputTokensOf(request: ConverseTextRequest): number {
  return wordCount(systemTextOf(request)) + (request.messages ?? []).reduce((n, m) => n + wordCount(messageText(m)), 0);
}
