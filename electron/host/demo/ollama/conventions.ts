/**
 * How the test server builds its deterministic replies, so tests can check what reached the model.
 *
 * NPC name, read from the system prompt (the `system` field or system-role messages):
 *   - a line `Name: <name>` wins;
 *   - else the first `You are <Name>` where <Name> is one or more capitalised words ("You are Mira Vell, ...");
 *   - else "the model".
 * Lore, read from the system prompt:
 *   - every line starting with `Lore:` (after optional indentation or a `-`/`*` bullet), text after the marker;
 *   - every non-empty line inside a lore section: a heading line (`# ...`, `[...]` or ending in `:`) that contains
 *     the word "lore" opens it; the next heading or a blank line closes it. Bullets are stripped.
 *   At most MAX_QUOTED_LORE lines are quoted, in prompt order.
 * Reply: `I am <name>.` then `As the lore says, "<lore>".` per lore line, then `You said: "<last user message>".`
 * (cut to 80 characters). Tokens are whitespace-led words: "I am Mira." is ["I", " am", " Mira."].
 */
export const LORE_MARKER = 'Lore:';
export const MAX_QUOTED_LORE = 5;
const QUOTE_LIMIT = 80;
const FILLER = ['and', 'so', 'the', 'tale', 'goes', 'on.'];

export interface ChatTurnMessage {
  role: string;
  content: string;
}

/** Formats a line the server will recognise as lore (for prompts built by tests). */
export function loreLine(text: string): string {
  return `${LORE_MARKER} ${text.replace(/\s*\n\s*/g, ' ').trim()}`;
}

export function npcNameFrom(system: string): string {
  const named = /^\s*Name:\s*(.+?)\s*$/im.exec(system);
  if (named) return named[1]!;
  const youAre = /\bYou are ((?:[A-Z][\w'-]*)(?: [A-Z][\w'-]*)*)/.exec(system);
  return youAre ? youAre[1]! : 'the model';
}

const BULLET = /^\s*(?:[-*•]\s+)?/;

function isHeading(line: string): boolean {
  const t = line.trim();
  return /^#+\s/.test(t) || /^\[.*\]$/.test(t) || (t.endsWith(':') && t.length <= 60);
}

export function loreFrom(system: string): string[] {
  const found: string[] = [];
  let inSection = false;
  for (const raw of system.split(/\r?\n/)) {
    const line = raw.replace(BULLET, '');
    if (line.startsWith(LORE_MARKER)) {
      const text = line.slice(LORE_MARKER.length).trim();
      // A bare "Lore:" line opens a section instead.
      if (text) found.push(text);
      else inSection = true;
      continue;
    }
    if (raw.trim() === '') {
      inSection = false;
    } else if (isHeading(raw)) {
      inSection = /\blore\b/i.test(raw);
    } else if (inSection) {
      found.push(line.trim());
    }
  }
  return found;
}

/** Splits text into tokens the way the server streams them: each token is a word with its leading whitespace. */
export function tokenize(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}

export function systemPromptOf(messages: readonly ChatTurnMessage[], system = ''): string {
  return [system, ...messages.filter((m) => m.role === 'system').map((m) => m.content)].filter(Boolean).join('\n');
}

function quote(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > QUOTE_LIMIT ? `${flat.slice(0, QUOTE_LIMIT - 1)}…` : flat;
}

/** The natural reply, before any length switch or num_predict is applied. */
export function replyText(messages: readonly ChatTurnMessage[], system = ''): string {
  const prompt = systemPromptOf(messages, system);
  const parts = [`I am ${npcNameFrom(prompt)}.`];
  for (const lore of loreFrom(prompt).slice(0, MAX_QUOTED_LORE)) parts.push(`As the lore says, "${lore}".`);
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  if (lastUser) parts.push(`You said: "${quote(lastUser.content)}".`);
  return parts.join(' ');
}

/** Reply tokens cut or padded (with a fixed filler) to exactly `count`. */
export function fitTokens(tokens: readonly string[], count: number): string[] {
  if (tokens.length >= count) return tokens.slice(0, count);
  const out = [...tokens];
  for (let i = 0; out.length < count; i++) out.push(`${out.length === 0 ? '' : ' '}${FILLER[i % FILLER.length]}`);
  return out;
}

/** Prompt size as the server reports it (prompt_eval_count): tokens of every message and the system field. */
export function promptTokenCount(messages: readonly ChatTurnMessage[], system = ''): number {
  return tokenize(system).length + messages.reduce((n, m) => n + tokenize(m.content).length, 0);
}
