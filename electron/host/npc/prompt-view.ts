import type { SentPiece } from '../../../shared/chat';
import type { PromptMessage, PromptPiece, PromptSource, PromptView } from '../../../shared/conversations';
import type { ChatMessage, ChatRequest } from '../processors/processor';
import { toOllamaChat } from '../processors/local/chat-request';
import { toConverseInput } from '../processors/hosted/converse-mapping';
import { errorMessage } from '../../../shared/errors';
import { piecesText } from './prompt/sent-prompt';
import { estimateTokens, messageTokens, TOKEN_ESTIMATOR } from './prompt/tokens';
import type { TranscriptMessage } from './transcript-schema';

export class PromptNotKeptError extends Error {
  constructor(messageId: string, why: string) {
    super(`The prompt of message ${messageId} cannot be shown: ${why}.`);
    this.name = 'PromptNotKeptError';
  }
}

export interface PromptViewInput {
  npcId: string;
  conversationId: string;
  /** The conversation's messages as they stand. */
  messages: readonly TranscriptMessage[];
  messageId: string;
  alternative?: number;
  /** The persona's name for a persona piece (the reply keeps only its id). */
  personaName(personaId: string | undefined): string;
}

/**
 * The prompt a reply was made from, message by message and piece by piece with sources and token estimates,
 * and the request body its processor sent. The pieces are what the reply kept; the history is the transcript's
 * messages before the reply (as they read now: a message edited since shows its new text).
 */
export function promptView(input: PromptViewInput): PromptView {
  const index = input.messages.findIndex((m) => m.id === input.messageId);
  const message = input.messages[index];
  if (!message) throw new PromptNotKeptError(input.messageId, 'there is no such message in this conversation');
  if (message.role !== 'assistant') throw new PromptNotKeptError(input.messageId, 'it is your message; prompts belong to replies');
  const alternative = input.alternative ?? message.chosen;
  const swipe = message.swipes[alternative];
  if (!swipe) throw new PromptNotKeptError(input.messageId, `it has ${message.swipes.length} alternative(s), no number ${alternative + 1}`);
  const meta = swipe.meta;
  if (!meta?.used)
    throw new PromptNotKeptError(
      input.messageId,
      message.greeting ? "it is the card's greeting, not a reply" : 'the reply failed before its prompt was built',
    );

  const before = input.messages.slice(0, index).filter((m) => m.text.trim() !== '');
  const latest = before.at(-1);
  const earlier = before.slice(0, -1);
  const kept = earlier.slice(Math.max(0, earlier.length - meta.used.historyKept));
  const transcriptMessage = (m: TranscriptMessage, kind: 'history' | 'user'): PromptMessage =>
    messageOf(m.role, [{ source: { kind, messageId: m.id }, text: m.text, tokens: estimateTokens(m.text) }]);

  const messages: PromptMessage[] = [];
  const exact = Boolean(meta.sent);
  if (meta.sent) {
    let next = 0;
    for (const entry of meta.sent.messages) {
      if ('history' in entry) for (const m of kept.slice(next, (next += entry.history))) messages.push(transcriptMessage(m, 'history'));
      else if ('latest' in entry) {
        if (latest) messages.push(transcriptMessage(latest, 'user'));
      } else {
        const pieces = entry.pieces.map((p) => pieceOf(p, meta.personaId, input.personaName));
        messages.push({ ...messageOf(entry.role, pieces), text: piecesText(entry.pieces) });
      }
    }
  } else {
    const system = meta.prompt?.system ?? '';
    if (system) messages.push(messageOf('system', [{ source: { kind: 'system' }, text: system, tokens: estimateTokens(system) }]));
    for (const m of kept) messages.push(transcriptMessage(m, 'history'));
    if (latest) messages.push(transcriptMessage(latest, 'user'));
    for (const text of meta.prompt?.postHistory ?? [])
      messages.push(
        messageOf('system', [{ source: { kind: 'card', field: 'post_history_instructions' }, text, tokens: estimateTokens(text) }]),
      );
  }

  const tokensBySource: PromptView['tokensBySource'] = {};
  for (const m of messages) for (const p of m.pieces) tokensBySource[p.source.kind] = (tokensBySource[p.source.kind] ?? 0) + p.tokens;
  const [first, ...rest] = messages;
  const hasSystem = first?.role === 'system';
  const request: ChatRequest = {
    npcId: input.npcId,
    model: meta.model ?? '',
    system: hasSystem ? first.text : '',
    messages: (hasSystem ? rest : messages).map((m): ChatMessage => ({ role: m.role, content: m.text })),
    ...(meta.sent?.sampling ? { sampling: meta.sent.sampling } : {}),
  };
  return {
    npcId: input.npcId,
    conversationId: input.conversationId,
    messageId: message.id,
    alternative,
    ...(meta.processor ? { processor: meta.processor } : {}),
    ...(meta.model ? { model: meta.model } : {}),
    messages,
    tokensBySource,
    totalTokens: messages.reduce((n, m) => n + m.tokens, 0),
    contextSize: meta.used.budget.numCtx,
    replyReserve: meta.used.budget.replyReserve,
    estimator: meta.used.estimator || TOKEN_ESTIMATOR,
    requestBody: requestBody(meta.processor, request),
    exact,
  };
}

/** Ollama's /api/chat body, or Bedrock's ConverseStream input, as the processor builds it. */
function requestBody(processor: string | undefined, request: ChatRequest): string {
  try {
    const body = processor === 'hosted' ? toConverseInput(request) : { ...toOllamaChat(request), stream: true };
    return JSON.stringify(body, null, 2);
  } catch (err) {
    return JSON.stringify({ error: `the request could not be rebuilt: ${errorMessage(err)}` }, null, 2);
  }
}

function messageOf(role: PromptMessage['role'], pieces: PromptPiece[]): PromptMessage {
  const text = pieces.map((p) => p.text).join('');
  return { role, text, tokens: messageTokens({ role, content: text }), pieces };
}

function pieceOf(p: SentPiece, personaId: string | undefined, personaName: (id: string | undefined) => string): PromptPiece {
  return { source: sourceOf(p, personaId, personaName), text: (p.sep ?? '') + p.text, tokens: estimateTokens(p.text) };
}

function sourceOf(p: SentPiece, personaId: string | undefined, personaName: (id: string | undefined) => string): PromptSource {
  switch (p.kind) {
    case 'lorebook':
      return { kind: 'lorebook', book: p.book ?? '', entry: p.entry ?? '' };
    case 'knowledge':
      return { kind: 'knowledge', source: p.source ?? '', ...(p.sourceId ? { sourceId: p.sourceId } : {}) };
    case 'persona':
      return { kind: 'persona', ...(personaId ? { personaId } : {}), name: personaName(personaId) };
    default:
      return { kind: p.kind };
  }
}
