import type { KnowledgeChunk } from '../../../../shared/chat';
import type { CardData } from '../../../../shared/npc';
import { replaceMacros, type MacroNames } from './macros';

/** Used when the card has no system_prompt, and for {{original}} inside one. */
export const DEFAULT_SYSTEM_PROMPT =
  "You are {{char}} in a fictional chat with {{user}}. Write only {{char}}'s next reply, and stay in character.";

/** The heading of the knowledge section. Each chunk follows on one line: `- [<source>] <text>`. */
export const KNOWLEDGE_HEADING = 'Lore:';

export interface SystemSections {
  main: string;
  loreBefore: string[];
  card: string;
  /** The designer's persona description ({{user}}'s), after the card as SillyTavern's story string puts it. */
  persona?: string;
  loreAfter: string[];
  knowledge: string;
  examples: string;
}

/**
 * The system prompt, sections in this order, separated by blank lines, empty ones left out:
 * main instruction · lorebook entries placed before_char · description / personality / scenario · persona ·
 * lorebook entries placed after_char · "Lore:" knowledge lines · "Example dialogue:" block.
 */
export function composeSystem(s: SystemSections): string {
  return [s.main, ...s.loreBefore, s.card, s.persona ?? '', ...s.loreAfter, s.knowledge, s.examples]
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .join('\n\n');
}

export function mainInstruction(card: CardData, names: MacroNames, defaultPrompt = DEFAULT_SYSTEM_PROMPT): string {
  const original = replaceMacros(defaultPrompt, names);
  return card.system_prompt.trim() ? replaceMacros(card.system_prompt, names, original) : original;
}

export function cardSection(card: CardData, names: MacroNames): string {
  const lines: string[] = [];
  if (card.description.trim()) lines.push(replaceMacros(card.description, names));
  if (card.personality.trim()) lines.push(`${names.char}'s personality: ${replaceMacros(card.personality, names)}`);
  if (card.scenario.trim()) lines.push(`Scenario: ${replaceMacros(card.scenario, names)}`);
  return lines.join('\n');
}

export function examplesSection(card: CardData, names: MacroNames): string {
  return card.mes_example.trim() ? `Example dialogue:\n${replaceMacros(card.mes_example, names)}` : '';
}

/** One line per chunk so a reader (or a test server) can find and quote each: `- [source] text`. */
export function knowledgeSection(chunks: readonly KnowledgeChunk[]): string {
  if (chunks.length === 0) return '';
  return [KNOWLEDGE_HEADING, ...chunks.map(knowledgeLine)].join('\n');
}

export function knowledgeLine(chunk: KnowledgeChunk): string {
  return `- [${oneLine(chunk.source)}] ${oneLine(chunk.text)}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** SillyTavern's default impersonation prompt: the reply drafted is the designer's own next line. */
export const IMPERSONATE_INSTRUCTION =
  '[Write your next reply from the point of view of {{user}}, using the chat history so far as a guideline ' +
  "for the writing style of {{user}}. Don't write as {{char}} or system. Don't describe actions of {{char}}.]";
