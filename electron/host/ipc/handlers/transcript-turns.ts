import type { KnowledgeChunkUsed, LoreEntryUsed, PromptInspection, PromptPart, PromptPartName, TranscriptTurn } from '../../../../shared/chat';
import type { TranscriptMessage } from '../../npc/transcript-schema';
import { sourceIdOf } from './source-id';

/** What ChatService saves in a reply's meta (see chat-service.ts replyMeta). */
interface ReplyMeta {
  processor?: 'local' | 'hosted';
  model?: string;
  usage?: { promptTokens: number; replyTokens: number; latencyMs: number };
  error?: string;
  used?: {
    lorebookEntries?: {
      index: number;
      content: string;
      matchedKeys: string[];
      reason?: 'constant' | 'key' | 'recursive';
      tokens?: number;
      entry: { id?: unknown; name?: string; comment?: string; keys?: string[] };
    }[];
    chunks?: { id?: string; sourceId?: string; source: string; text: string; distance?: number }[];
    tokens?: Partial<Record<PromptPartName, number>>;
    totalTokens?: number;
    budget?: { numCtx: number };
    estimator?: string;
    historyKept?: number;
    historyDropped?: number;
  };
  prompt?: { system: string; user: string; postHistory: string[] };
}

export function toTurn(message: TranscriptMessage): TranscriptTurn {
  const meta = (message.meta ?? {}) as ReplyMeta;
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
    ...(meta.usage ? { usage: { promptTokens: meta.usage.promptTokens, replyTokens: meta.usage.replyTokens, latencyMs: meta.usage.latencyMs } } : {}),
    ...(meta.error ? { error: meta.error } : {}),
    ...(meta.used ? { lore: { entries: loreEntries(meta), chunks: chunks(meta) }, prompt: inspection(meta) } : {}),
  };
}

export function streamingTurn(turnId: string, text: string, createdAt: string): TranscriptTurn {
  return { id: turnId, role: 'assistant', text, alternatives: [text], chosen: 0, status: 'streaming', createdAt };
}

function loreEntries(meta: ReplyMeta): LoreEntryUsed[] {
  return (meta.used?.lorebookEntries ?? []).map((t) => ({
    id: t.entry.id !== undefined ? String(t.entry.id) : (t.entry.name ?? `entry ${t.index}`),
    keys: t.entry.keys ?? t.matchedKeys,
    content: t.content,
    matchedKeys: t.matchedKeys,
    ...(t.reason ? { reason: t.reason } : {}),
    ...(t.tokens !== undefined ? { tokens: t.tokens } : {}),
    ...(t.entry.comment ? { comment: t.entry.comment } : {}),
  }));
}

function chunks(meta: ReplyMeta): KnowledgeChunkUsed[] {
  return (meta.used?.chunks ?? []).map((c) => ({
    sourceId: c.sourceId ?? sourceIdOf(c.source),
    source: c.source,
    text: c.text,
    ...(c.distance !== undefined ? { distance: c.distance } : {}),
  }));
}

const PART_ORDER: PromptPartName[] = ['system', 'card', 'lorebook', 'knowledge', 'examples', 'history', 'user', 'post_history'];

function inspection(meta: ReplyMeta): PromptInspection {
  const used = meta.used!;
  const kept = used.historyKept ?? 0;
  const dropped = used.historyDropped ?? 0;
  const text: Partial<Record<PromptPartName, string>> = {
    system: meta.prompt?.system ?? '',
    lorebook: (used.lorebookEntries ?? []).map((e) => e.content).join('\n'),
    knowledge: (used.chunks ?? []).map((c) => `[${c.source}] ${c.text}`).join('\n'),
    history: `${kept} earlier message(s) of this conversation${dropped ? `; ${dropped} older one(s) trimmed to fit` : ''}`,
    user: meta.prompt?.user ?? '',
    post_history: (meta.prompt?.postHistory ?? []).join('\n'),
  };
  const parts: PromptPart[] = PART_ORDER.map((name) => ({ name, tokens: used.tokens?.[name] ?? 0, text: text[name] ?? '' }));
  return { contextSize: used.budget?.numCtx ?? 0, totalTokens: used.totalTokens ?? 0, estimator: used.estimator ?? 'chars/4', parts };
}
