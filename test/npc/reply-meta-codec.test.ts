/*
 * A reply's meta in short encodings (electron/host/npc/reply-meta-codec.ts): a lore match stored as its position in
 * the message, usage as a tuple; anything that would not decode back exactly is stored as it is.
 */
import { describe, expect, it } from 'vitest';
import { decodeReplyMeta, encodeReplyMeta, excerptOf, UnresolvedReference } from '../../electron/host/npc/reply-meta-codec';
import type { ReplyMeta } from '../../shared/chat';
import type { ActivatedEntry, MatchSource } from '../../shared/lorebook-trace';

const messages = new Map([
  ['m2', { role: 'user', text: 'Tell me about the   forge\nand the guild, please. '.repeat(3) }],
  ['m3', { role: 'assistant', text: 'The forge is hot.' }],
]);
const lookup = { messageText: (id: string) => messages.get(id) };

function metaWith(matchedIn: MatchSource, usage: Record<string, number> = { promptTokens: 10, replyTokens: 2, latencyMs: 1.5 }): ReplyMeta {
  const entry: ActivatedEntry = {
    book: 'b',
    entry: '0',
    comment: 'forge',
    keys: ['forge'],
    content: 'Lore: the forge.',
    position: 'before_char',
    depth: null,
    role: 'system',
    order: 1,
    tokens: 4,
    trace: { reason: 'key', key: 'forge', matchedIn, decorators: [], pass: 1 },
  };
  return {
    processor: 'local',
    model: 'm',
    usage: usage as ReplyMeta['usage'],
    used: {
      lore: {
        seed: 1,
        activated: [entry],
        skipped: [],
        state: { sticky: {}, cooldown: {}, fired: [] },
        tokens: 4,
        tokenBudget: null,
        evictionOrder: 'x',
        passes: 1,
        books: [],
        quietSkips: 0,
      },
      chunks: [],
      chunksDropped: [],
      historyKept: 2,
      historyDropped: 0,
      tokens: {},
      totalTokens: 10,
      budget: { numCtx: 4096, replyReserve: 512, available: 3584 },
      estimator: 'e',
    },
  } as unknown as ReplyMeta;
}

describe('reply meta codec', () => {
  it('stores a match in a message as its position (whitespace runs too) and rebuilds the same excerpt', () => {
    const text = messages.get('m2')!.text;
    const excerpt = excerptOf(text, 10, 50);
    const meta = metaWith({ kind: 'message', index: 1, role: 'user', excerpt });
    const stored = encodeReplyMeta(meta, 'm4', lookup);
    expect(JSON.stringify(stored)).not.toContain('excerpt');
    expect((stored.used as { lore: { activated: unknown[][] } }).lore.activated[0]![1]).toEqual([1, 2, 10, 50]);
    expect(stored.usage).toEqual([10, 2, 1.5]);
    expect(decodeReplyMeta(stored, 'm4', lookup)).toEqual(meta);
  });

  it('keeps an excerpt the message does not hold (edited before the reply was saved) as it is', () => {
    const meta = metaWith({ kind: 'message', index: 1, role: 'user', excerpt: 'Tell me about the smithy' });
    const stored = encodeReplyMeta(meta, 'm4', lookup);
    expect(JSON.stringify(stored)).toContain('Tell me about the smithy');
    expect(decodeReplyMeta(stored, 'm4', lookup)).toEqual(meta);
  });

  it('keeps usage with a field it does not know as an object', () => {
    const meta = metaWith({ kind: 'messages', excerpt: 'forge' }, { promptTokens: 1, replyTokens: 1, latencyMs: 1, cachedTokens: 3 });
    const stored = encodeReplyMeta(meta, 'm4', lookup);
    expect(stored.usage).toEqual(meta.usage);
    expect(decodeReplyMeta(stored, 'm4', lookup)).toEqual(meta);
  });

  it('says which message a match points to when it is not known', () => {
    const meta = metaWith({ kind: 'message', index: 2, role: 'assistant', excerpt: 'The forge is hot.' });
    const stored = encodeReplyMeta(meta, 'm4', lookup);
    expect(() => decodeReplyMeta(stored, 'm4', { messageText: () => undefined })).toThrow(UnresolvedReference);
    expect(() => decodeReplyMeta(stored, 'm4', { messageText: () => undefined })).toThrow(/m3/);
  });
});
