import type { KnowledgeChunk, PromptBudget, PromptUsed, SentPiece, SentPrompt } from '../../../../shared/chat';
import type { AuthorsNote } from '../../../../shared/conversations';
import type { ChatMessage, ChatRequest } from '../../processors/processor';
import { DEFAULT_NUM_CTX, DEFAULT_REPLY_RESERVE, type CardData, type StudioSettings } from '../../../../shared/npc';
import type { TimedEffectState } from '../../../../shared/lorebook';
import type { TracedBook } from '../../../../shared/lorebook-trace';
import { activateLore } from '../../lore/activation';
import { npcLorebooks, toReplyTrace } from '../../lore/npc-lore';
import type { LorebookInput } from '../../lore/resolved-entry';
import { placeLore } from './lore-placement';
import { replaceMacros, type MacroNames } from './macros';
import { PromptOverflowError } from './prompt-overflow-error';
import {
  cardSection,
  composeSystem,
  examplesSection,
  IMPERSONATE_INSTRUCTION,
  knowledgeLine,
  knowledgeSection,
  mainInstruction,
} from './system-prompt';
import { joinedBlock, knowledgeBlock, loreBlock, lorePiece, sentChat, systemPieces } from './sent-prompt';
import { estimateTokens, messageTokens, MESSAGE_OVERHEAD_TOKENS, TOKEN_ESTIMATOR } from './tokens';

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
  /**
   * The lorebooks to scan (lore/npc-lore.ts npcLorebooks: the card's own, attached, linked), the seed of the
   * reply's draws and the conversation's timed effects from the reply before. Default: the card's own book, seed 0.
   */
  lore?: { books: LorebookInput[]; named: TracedBook[]; seed: number; state?: TimedEffectState };
  /** The model's trained context (Ollama's /api/show): the budget never goes past it. */
  modelContextLength?: number;
  /** The designer's persona: its name is {{user}} (over userName), its description follows the card. */
  persona?: { name: string; description: string };
  /** The conversation's author's note: a message of its role, `depth` messages from the chat's end. */
  authorsNote?: AuthorsNote | null;
  /**
   * reply: answer the latest message. continue: the latest message is the reply to extend (post-history goes
   * before it). impersonate: draft the designer's next line (the impersonation instruction goes last).
   */
  mode?: 'reply' | 'continue' | 'impersonate';
}

/** A ChatRequest ready for a processor, plus what went into it for the UI. */
export interface AssembledPrompt extends ChatRequest {
  used: PromptUsed;
  /** The prompt piece by piece with sources (the history as references to the transcript). */
  sent: SentPrompt;
}

/** What goes to the processor: the request part of an assembled prompt, without what the UI keeps of it. */
export function chatRequestOf(prompt: AssembledPrompt): ChatRequest {
  const { npcId, model, system, messages, sampling } = prompt;
  return { npcId, model, system, messages, sampling };
}

/**
 * Builds one turn's prompt. Required parts: the system instruction, the card (description, personality,
 * scenario, examples), triggered lorebook entries, the latest message and post-history instructions; if
 * they alone exceed numCtx − reply reserve, PromptOverflowError. Lorebook entries go where their position says
 * (lore-placement.ts); an entry at a depth is a message of its role that many messages from the chat's end; together
 * they stay within loreBudget. Then knowledge chunks (closest first) while they fit, then history, newest first,
 * while it fits; the oldest messages are the ones trimmed.
 * Post-history instructions go last, as a system message after the latest message.
 */
export function assemblePrompt(input: AssembleInput): AssembledPrompt {
  const names: MacroNames = { char: input.card.name, user: input.persona?.name ?? input.userName ?? 'User' };
  const mode = input.mode ?? 'reply';
  const { card, studio } = input;
  const budget = budgetOf(studio, input.modelContextLength);
  const latest = input.history.at(-1);
  if (!latest) throw new Error('assemblePrompt needs at least the latest message in history');
  const earlier = input.history.slice(0, -1);

  const lore = input.lore ?? { ...npcLorebooks({ id: input.npcId, card, studio: { ...studio, lorebooks: [] } }, null), seed: 0 };
  const trace = activateLore(lore.books, input.history, {
    seed: lore.seed,
    tokenBudget: loreBudget(lore.books, budget),
    ...(lore.state ? { state: lore.state } : {}),
    render: (t) => replaceMacros(t, names),
  });
  const placed = placeLore(trace.activated);
  const sections = {
    main: mainInstruction(card, names, input.defaultSystemPrompt),
    loreBefore: placed.beforeCard,
    card: cardSection(card, names),
    persona: replaceMacros(input.persona?.description ?? '', names),
    loreAfter: placed.afterCard,
    knowledge: '',
    examples: [...placed.beforeExamples, examplesSection(card, names), ...placed.afterExamples].filter((t) => t.trim()).join('\n\n'),
  };
  const postText =
    mode === 'impersonate'
      ? replaceMacros(IMPERSONATE_INSTRUCTION, names)
      : replaceMacros(card.post_history_instructions, names, '').trim();
  const post: ChatMessage[] = postText ? [{ role: 'system', content: postText }] : [];
  const noteText = input.authorsNote?.text.trim() ? replaceMacros(input.authorsNote.text, names) : '';
  const note: ChatMessage | null = noteText ? { role: input.authorsNote!.role, content: noteText } : null;
  const systemTokens = (s: typeof sections) => estimateTokens(composeSystem(s)) + MESSAGE_OVERHEAD_TOKENS;
  const atDepthTokens = placed.atDepth.reduce((n, m) => n + messageTokens(m), 0);
  const noteTokens = note ? messageTokens(note) : 0;
  const fixedTail = messageTokens(latest) + post.reduce((n, m) => n + messageTokens(m), 0) + atDepthTokens + noteTokens;

  const required = systemTokens(sections) + fixedTail;
  if (required > budget.available) {
    throw new PromptOverflowError(
      {
        system: estimateTokens(sections.main),
        card: estimateTokens(sections.card) + estimateTokens(sections.persona),
        examples: estimateTokens(sections.examples),
        lorebook: trace.tokens,
        latest_message: messageTokens(latest),
        post_history: post.reduce((n, m) => n + messageTokens(m), 0),
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
  const chat = [...kept, latest];
  let inChat = placed.insertAtDepth(chat);
  if (note) inChat = insertAtDepth(inChat, chat, input.authorsNote!.depth, note);
  const ordered =
    mode === 'continue'
      ? [...inChat.slice(0, inChat.indexOf(latest)), ...post, ...inChat.slice(inChat.indexOf(latest))]
      : [...inChat, ...post];
  const messages = ordered.map((m) => ({ role: m.role, content: m.content }));
  const sources = new Map<ChatMessage, SentPiece>();
  for (const m of ordered) {
    if (m === note) sources.set(m, { kind: 'authors-note', text: m.content });
    else if (post.includes(m)) sources.set(m, { kind: mode === 'impersonate' ? 'system' : 'card', text: m.content });
    else if (!chat.includes(m)) {
      const entry = placed.entries.atDepth.find((e) => e.content === m.content);
      if (entry) sources.set(m, lorePiece(entry, lore.named));
    }
  }
  const named = lore.named;
  const sent: SentPrompt = {
    messages: [
      {
        role: 'system',
        pieces: systemPieces([
          [{ kind: 'system', text: sections.main }],
          ...placed.entries.beforeCard.map((e) => loreBlock(e, named)),
          [{ kind: 'card', text: sections.card }],
          [{ kind: 'persona', text: sections.persona }],
          ...placed.entries.afterCard.map((e) => loreBlock(e, named)),
          knowledgeBlock(chunks),
          joinedBlock([
            ...placed.entries.beforeExamples.map((e) => lorePiece(e, named)),
            { kind: 'card', text: examplesSection(card, names) },
            ...placed.entries.afterExamples.map((e) => lorePiece(e, named)),
          ]),
        ]),
      },
      ...sentChat(ordered, new Set(kept), latest, sources, mode !== 'reply'),
    ],
    sampling: { ...studio.sampling, numCtx: budget.numCtx },
  };
  return {
    npcId: input.npcId,
    model: studio.model,
    system,
    messages,
    sampling: { ...studio.sampling, numCtx: budget.numCtx },
    sent,
    used: {
      lore: toReplyTrace(trace, lore.named),
      chunks: chunks.map((c) => ({ ...c, tokens: estimateTokens(knowledgeLine(c)) })),
      chunksDropped,
      historyKept: kept.length,
      historyDropped: earlier.length - kept.length,
      tokens: {
        system: estimateTokens(sections.main),
        card: estimateTokens(sections.card) + estimateTokens(sections.persona),
        examples: estimateTokens(sections.examples),
        lorebook: trace.tokens,
        knowledge: estimateTokens(sections.knowledge),
        history: kept.reduce((n, m) => n + messageTokens(m), 0),
        user: messageTokens(latest),
        post_history: post.reduce((n, m) => n + messageTokens(m), 0) + noteTokens,
      },
      totalTokens: used,
      budget,
      estimator: TOKEN_ESTIMATOR,
    },
  };
}

/** SillyTavern's default World Info budget: a quarter of the context (world_info_budget 25%). */
export const DEFAULT_LORE_BUDGET_SHARE = 0.25;

/**
 * The token budget of all lorebook entries together: the first book (the card's own first) that sets one, else
 * a quarter of what the prompt may use. Without one a large world book would fill the context, and recursion
 * through it would have no end but the book's.
 */
export function loreBudget(books: readonly LorebookInput[], budget: PromptBudget): number {
  const stated = books.find((b) => b.book.tokenBudget !== undefined)?.book.tokenBudget;
  return stated ?? Math.floor(budget.available * DEFAULT_LORE_BUDGET_SHARE);
}

export function budgetOf(studio: StudioSettings, modelContextLength?: number): PromptBudget {
  const numCtx = Math.min(studio.sampling.numCtx ?? DEFAULT_NUM_CTX, modelContextLength ?? Infinity);
  const replyReserve = studio.sampling.maxTokens ?? DEFAULT_REPLY_RESERVE;
  return { numCtx, replyReserve, available: numCtx - replyReserve };
}

/** `chat` with `message` inserted `depth` messages from the end of the original `chat` (after what is already there). */
function insertAtDepth(out: readonly ChatMessage[], chat: readonly ChatMessage[], depth: number, message: ChatMessage): ChatMessage[] {
  const at = Math.max(0, chat.length - depth);
  const next = [...out];
  next.splice(at >= chat.length ? next.length : next.indexOf(chat[at]!), 0, message);
  return next;
}
