import type { ChatMessage, ChatRequest } from '../../processors/processor';
import type { CardData, StudioSettings } from '../npc-schema';
import { selectLorebookEntries, type TriggeredEntry } from './lorebook';
import { replaceMacros, type MacroNames } from './macros';
import { PromptOverflowError, type PromptBudget } from './prompt-overflow-error';
import { cardSection, composeSystem, examplesSection, knowledgeLine, knowledgeSection, mainInstruction, type KnowledgeChunk } from './system-prompt';
import { estimateTokens, messageTokens, MESSAGE_OVERHEAD_TOKENS, TOKEN_ESTIMATOR } from './tokens';

/** Ollama's default context when the NPC sets no numCtx. */
export const DEFAULT_NUM_CTX = 4096;
/** Tokens kept free for the reply when the NPC sets no maxTokens. */
export const DEFAULT_REPLY_RESERVE = 512;

export interface AssembleInput {
  npcId: string;
  card: CardData;
  studio: StudioSettings;
  /** The conversation, oldest first, ending with the designer's new message. */
  history: readonly ChatMessage[];
  /** Retrieved knowledge, best first (or any order: they are sorted by distance). */
  chunks?: readonly KnowledgeChunk[];
  /** For {{user}}; "User" when omitted. */
  userName?: string;
  /** The studio's default system prompt (also what {{original}} stands for). */
  defaultSystemPrompt?: string;
}

export type PromptPartName = 'system' | 'card' | 'examples' | 'lorebook' | 'knowledge' | 'history' | 'user' | 'post_history';

export interface PromptUsed {
  lorebookEntries: TriggeredEntry[];
  /** Triggered but over the book's token_budget. */
  lorebookDropped: TriggeredEntry[];
  chunks: (KnowledgeChunk & { tokens: number })[];
  /** Retrieved but left out: the context was full once the required parts were in. */
  chunksDropped: KnowledgeChunk[];
  historyKept: number;
  /** Oldest messages trimmed to fit. */
  historyDropped: number;
  /** Estimated tokens per part; `system`, `card`, `lorebook`, `knowledge`, `examples` add up to the system prompt. */
  tokens: Record<PromptPartName, number>;
  totalTokens: number;
  budget: PromptBudget;
  estimator: string;
}

/** A ChatRequest ready for a processor, plus what went into it for the UI. */
export interface AssembledPrompt extends ChatRequest {
  used: PromptUsed;
}

/**
 * Builds one turn's prompt. Required parts: the system instruction, the card (description, personality,
 * scenario, examples), triggered lorebook entries, the latest message and post-history instructions; if
 * they alone exceed numCtx − reply reserve, PromptOverflowError. Then knowledge chunks (closest first)
 * while they fit, then history, newest first, while it fits; the oldest messages are the ones trimmed.
 * Post-history instructions go last, as a system message after the latest message.
 */
export function assemblePrompt(input: AssembleInput): AssembledPrompt {
  const names: MacroNames = { char: input.card.name, user: input.userName ?? 'User' };
  const { card, studio } = input;
  const budget = budgetOf(studio);
  const latest = input.history.at(-1);
  if (!latest) throw new Error('assemblePrompt needs at least the latest message in history');
  const earlier = input.history.slice(0, -1);

  const lore = selectLorebookEntries(card.character_book, input.history.map((m) => m.content), (t) => replaceMacros(t, names));
  const sections = {
    main: mainInstruction(card, names, input.defaultSystemPrompt),
    loreBefore: lore.included.filter((t) => t.position === 'before_char').map((t) => t.content),
    card: cardSection(card, names),
    loreAfter: lore.included.filter((t) => t.position === 'after_char').map((t) => t.content),
    knowledge: '',
    examples: examplesSection(card, names),
  };
  const postText = replaceMacros(card.post_history_instructions, names, '').trim();
  const post: ChatMessage[] = postText ? [{ role: 'system', content: postText }] : [];
  const systemTokens = (s: typeof sections) => estimateTokens(composeSystem(s)) + MESSAGE_OVERHEAD_TOKENS;
  const fixedTail = messageTokens(latest) + post.reduce((n, m) => n + messageTokens(m), 0);

  const required = systemTokens(sections) + fixedTail;
  if (required > budget.available) {
    throw new PromptOverflowError(
      {
        system: estimateTokens(sections.main), card: estimateTokens(sections.card), examples: estimateTokens(sections.examples),
        lorebook: lore.tokens, latest_message: messageTokens(latest), post_history: post.reduce((n, m) => n + messageTokens(m), 0),
      },
      required,
      budget,
    );
  }

  const chunks: KnowledgeChunk[] = [];
  const chunksDropped: KnowledgeChunk[] = [];
  for (const chunk of [...(input.chunks ?? [])].sort((a, b) => a.distance - b.distance)) {
    const trial = { ...sections, knowledge: knowledgeSection([...chunks, chunk]) };
    if (systemTokens(trial) + fixedTail <= budget.available) {
      chunks.push(chunk);
      sections.knowledge = trial.knowledge;
    } else {
      chunksDropped.push(chunk);
    }
  }

  let used = systemTokens(sections) + fixedTail;
  const kept: ChatMessage[] = [];
  for (let i = earlier.length - 1; i >= 0; i--) {
    const cost = messageTokens(earlier[i]!);
    if (used + cost > budget.available) break;
    used += cost;
    kept.unshift(earlier[i]!);
  }

  const system = composeSystem(sections);
  const messages = [...kept, latest, ...post].map((m) => ({ role: m.role, content: m.content }));
  return {
    npcId: input.npcId,
    model: studio.model,
    system,
    messages,
    sampling: { ...studio.sampling, numCtx: budget.numCtx },
    used: {
      lorebookEntries: lore.included,
      lorebookDropped: lore.droppedForBudget,
      chunks: chunks.map((c) => ({ ...c, tokens: estimateTokens(knowledgeLine(c)) })),
      chunksDropped,
      historyKept: kept.length,
      historyDropped: earlier.length - kept.length,
      tokens: {
        system: estimateTokens(sections.main),
        card: estimateTokens(sections.card),
        examples: estimateTokens(sections.examples),
        lorebook: lore.tokens,
        knowledge: estimateTokens(sections.knowledge),
        history: kept.reduce((n, m) => n + messageTokens(m), 0),
        user: messageTokens(latest),
        post_history: post.reduce((n, m) => n + messageTokens(m), 0),
      },
      totalTokens: used,
      budget,
      estimator: TOKEN_ESTIMATOR,
    },
  };
}

export function budgetOf(studio: StudioSettings): PromptBudget {
  const numCtx = studio.sampling.numCtx ?? DEFAULT_NUM_CTX;
  const replyReserve = studio.sampling.maxTokens ?? DEFAULT_REPLY_RESERVE;
  return { numCtx, replyReserve, available: numCtx - replyReserve };
}
