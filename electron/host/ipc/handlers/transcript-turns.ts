import {
  PROMPT_PARTS,
  type KnowledgeChunkUsed,
  type LoreEntryUsed,
  type LoreUsed,
  type PromptInspection,
  type PromptPart,
  type PromptPartName,
  type PromptUsed,
  type ReplyMeta,
  type TranscriptTurn,
  type Usage,
} from '../../../../shared/chat';
import type { TranscriptMessage } from '../../npc/transcript-schema';
import { sourceIdOf } from './source-id';
import { piecesText } from '../../npc/prompt/sent-prompt';

/** The system prompt and the inserted messages of a reply that kept its prompt as pieces. */
function promptOfSent(sent: ReplyMeta['sent']): ReplyMeta['prompt'] {
  if (!sent) return undefined;
  const [first, ...rest] = sent.messages;
  const system = first && 'pieces' in first && first.role === 'system' ? piecesText(first.pieces) : '';
  const afterLatest = rest.slice(rest.findIndex((m) => 'latest' in m) + 1);
  return {
    system,
    user: '',
    postHistory: afterLatest.flatMap((m) => ('pieces' in m && m.role === 'system' ? [piecesText(m.pieces)] : [])),
  };
}

export function toTurn(message: TranscriptMessage): TranscriptTurn {
  const meta: ReplyMeta = message.meta ?? {};
  const status = message.interrupted ? (meta.error ? 'error' : 'interrupted') : 'complete';
  return {
    id: message.id,
    role: message.role,
    text: message.text,
    alternatives: message.swipes.map((s) => s.text),
    chosen: message.chosen,
    status,
    createdAt: message.createdAt,
    ...(message.editedAt ? { editedAt: message.editedAt } : {}),
    ...(meta.model ? { model: meta.model } : {}),
    ...(meta.processor ? { processor: meta.processor } : {}),
    ...(meta.usage ? { usage: usageOf(meta.usage) } : {}),
    ...(meta.error ? { error: meta.error } : {}),
    ...(meta.used ? { lore: lore(meta.used), prompt: inspection(meta.used, meta.prompt ?? promptOfSent(meta.sent)) } : {}),
  };
}

function usageOf({ promptTokens, replyTokens, latencyMs }: Usage): TranscriptTurn['usage'] {
  return { promptTokens, replyTokens, latencyMs };
}

export function streamingTurn(turnId: string, text: string, createdAt: string): TranscriptTurn {
  return { id: turnId, role: 'assistant', text, alternatives: [text], chosen: 0, status: 'streaming', createdAt };
}

function lore(used: PromptUsed): LoreUsed {
  const trace = used.lore;
  const bookName = (id: string) => trace?.books.find((b) => b.id === id)?.name ?? id;
  const entries: LoreEntryUsed[] = trace
    ? trace.activated.map((a) => ({
        id: a.entry,
        keys: a.keys,
        content: a.content,
        reason: a.trace.reason,
        ...(a.trace.key ? { matchedKeys: [a.trace.key, ...(a.trace.secondaryKey ? [a.trace.secondaryKey] : [])] } : {}),
        tokens: a.tokens,
        ...(a.comment ? { comment: a.comment } : {}),
        book: bookName(a.book),
      }))
    : legacyEntries(used);
  const dropped = trace ? trace.skipped.filter((s) => s.reason === 'budget_evicted').length : (used.lorebookDropped?.length ?? 0);
  return {
    entries,
    chunks: used.chunks.map((c): KnowledgeChunkUsed => ({
      sourceId: c.sourceId ?? sourceIdOf(c.source),
      source: c.source,
      text: c.text,
      distance: c.distance,
    })),
    ...(dropped ? { entriesDropped: dropped } : {}),
    ...(used.chunksDropped.length ? { chunksDropped: used.chunksDropped.length } : {}),
    ...(trace ? { trace } : {}),
  };
}

/** Replies saved before the activation trace. */
function legacyEntries(used: PromptUsed): LoreEntryUsed[] {
  return (used.lorebookEntries ?? []).map((t) => ({
    id: t.entry.id !== undefined ? String(t.entry.id) : (t.entry.name ?? `entry ${t.index}`),
    keys: t.entry.keys,
    content: t.content,
    matchedKeys: t.matchedKeys,
    reason: t.reason,
    tokens: t.tokens,
    ...(t.entry.comment ? { comment: t.entry.comment } : {}),
  }));
}

function inspection(used: PromptUsed, prompt: ReplyMeta['prompt']): PromptInspection {
  const { historyKept: kept, historyDropped: dropped } = used;
  const text: Partial<Record<PromptPartName, string>> = {
    system: prompt?.system ?? '',
    lorebook: (used.lore?.activated ?? used.lorebookEntries ?? []).map((e) => e.content).join('\n'),
    knowledge: used.chunks.map((c) => `[${c.source}] ${c.text}`).join('\n'),
    history: `${kept} earlier message(s) of this conversation${dropped ? `; ${dropped} older one(s) trimmed to fit` : ''}`,
    user: prompt?.user ?? '',
    post_history: (prompt?.postHistory ?? []).join('\n'),
  };
  const parts: PromptPart[] = PROMPT_PARTS.map((name) => ({ name, tokens: used.tokens[name], text: text[name] ?? '' }));
  return {
    contextSize: used.budget.numCtx,
    totalTokens: used.totalTokens,
    estimator: used.estimator,
    parts,
    replyReserve: used.budget.replyReserve,
    historyKept: kept,
    ...(dropped ? { historyDropped: dropped } : {}),
  };
}
