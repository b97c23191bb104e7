import { describe, expect, it } from 'vitest';
import { toTurn } from '../../electron/host/ipc/handlers/transcript-turns';
import type { TranscriptMessage } from '../../electron/host/npc/transcript-schema';
import { transcriptEventSchema } from '../../electron/host/npc/transcript-schema';
import { PROMPT_PARTS, replyMetaSchema, type ReplyMeta } from '../../shared/chat';

const entry = (id: number, content: string) => ({ keys: [`k${id}`], content, extensions: {}, enabled: true, insertion_order: 100, id });

/** A reply's meta as chat-service.ts writes it (replyMeta), after a trip through the journal's schema. */
function storedMeta(): ReplyMeta {
  return replyMetaSchema.parse({
    processor: 'local',
    model: 'llama3.2',
    usage: { promptTokens: 812, replyTokens: 40, latencyMs: 950, evalDurationMs: 700 },
    used: {
      lorebookEntries: [
        { index: 0, entry: entry(7, 'Moon.'), content: 'Moon.', position: 'before_char', reason: 'key', matchedKeys: ['k7'], tokens: 7 },
      ],
      lorebookDropped: [
        { index: 1, entry: entry(8, 'x'), content: 'x', position: 'after_char', reason: 'constant', matchedKeys: [], tokens: 300 },
      ],
      chunks: [{ id: 'forge.md#0', source: 'forge.md', text: 'Lit by Queen Isolde.', distance: 0.2, tokens: 6 }],
      chunksDropped: [
        { source: 'forge.md', text: 'Another chunk.', distance: 0.4 },
        { source: 'forge.md', text: 'A third.', distance: 0.5 },
      ],
      historyKept: 4,
      historyDropped: 3,
      tokens: { system: 40, card: 120, examples: 0, lorebook: 7, knowledge: 6, history: 500, user: 9, post_history: 0 },
      totalTokens: 682,
      budget: { numCtx: 4096, replyReserve: 512, available: 3584 },
      estimator: 'chars/4',
    },
    prompt: { system: 'You are Mira.', user: 'Who lit the forge?', postHistory: [] },
    from_a_later_version: true,
  });
}

function message(meta: ReplyMeta): TranscriptMessage {
  const at = '2025-01-01T00:00:00.000Z';
  const swipes = [{ text: 'Queen Isolde.', at, interrupted: false, meta }];
  const text = swipes[0]!.text;
  return { id: 'm2', role: 'assistant', text, interrupted: false, swipes, chosen: 0, greeting: false, createdAt: at, meta };
}

describe('reply meta: one schema from the chat service through the journal to the turn', () => {
  it('the turn carries what the prompt used and left out, and the reply reserve', () => {
    const turn = toTurn(message(storedMeta()));
    expect(turn).toMatchObject({ processor: 'local', model: 'llama3.2', usage: { promptTokens: 812, replyTokens: 40, latencyMs: 950 } });
    expect(turn.lore).toEqual({
      entries: [{ id: '7', keys: ['k7'], content: 'Moon.', matchedKeys: ['k7'], reason: 'key', tokens: 7 }],
      chunks: [{ sourceId: expect.any(String), source: 'forge.md', text: 'Lit by Queen Isolde.', distance: 0.2 }],
      entriesDropped: 1,
      chunksDropped: 2,
    });
    expect(turn.prompt).toMatchObject({ contextSize: 4096, totalTokens: 682, replyReserve: 512, historyKept: 4, historyDropped: 3 });
    expect(turn.prompt?.parts.map((p) => p.name)).toEqual([...PROMPT_PARTS]);
    expect(turn.prompt?.parts.find((p) => p.name === 'history')?.text).toMatch(/4 earlier message.*3 older one/);
  });

  it('the journal keeps unknown meta keys and refuses a meta field of the wrong type, naming it', () => {
    const event = { type: 'message-added', at: '2025-01-01T00:00:00.000Z', id: 'm2', role: 'assistant', text: 'Hi' };
    expect(transcriptEventSchema.parse({ ...event, meta: storedMeta() })).toMatchObject({ meta: { from_a_later_version: true } });
    const badUsage = { promptTokens: 'many', replyTokens: 1, latencyMs: 1 };
    const bad = transcriptEventSchema.safeParse({ ...event, meta: { usage: badUsage } });
    expect(bad.error?.issues[0]?.path).toEqual(['meta', 'usage', 'promptTokens']);
  });
});
