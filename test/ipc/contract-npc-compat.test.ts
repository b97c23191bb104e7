import { describe, expect, it } from 'vitest';
import { decodeCard } from '../../electron/host/npc/card-codec';
import { contract } from '../../shared/contract';
import { LIMITS } from '../../shared/ids';
import { cardDataSchema, npcSchema } from '../../shared/npc';
import { fullCardV2 } from '../npc/card-fixtures';

/** One NPC schema (shared/npc.ts) serves the store, the card codec and `npc.save`: what one takes, the others take. */
describe('one NPC schema for the store, card import and IPC', () => {
  it('a full Card V2 with unknown keys passes npc.save unchanged', () => {
    const card = { ...fullCardV2().data, another_tool_key: { kept: true } };
    const input = contract['npc.save'].input.parse({
      card,
      studio: { processor: 'local', model: 'llama3.2', sampling: { temperature: 0.7, numCtx: 4096, keepAlive: '5m' } },
    });
    expect(input.card).toEqual(cardDataSchema.parse(card));
    expect((input.card as Record<string, unknown>).another_tool_key).toEqual({ kept: true });
    expect(input.card.character_book?.entries).toHaveLength(card.character_book.entries.length);
  });

  it('a stored NPC is a valid npc.save input', () => {
    const stored = npcSchema.parse({
      version: 1,
      id: 'mira-ashfield',
      createdAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-01-01T00:00:00.000Z',
      studio: { processor: 'hosted', model: 'anthropic.claude-3-haiku', sampling: {} },
      card: fullCardV2().data,
    });
    expect(contract['npc.save'].input.safeParse({ id: stored.id, card: stored.card, studio: stored.studio }).success).toBe(true);
  });

  it('a card that imported saves: a numeric character_version, long texts and unknown keys all pass npc.save', () => {
    const v2 = fullCardV2();
    const data = {
      ...v2.data,
      character_version: 3,
      description: 'd'.repeat(60_000),
      tags: ['t'.repeat(150)],
      character_book: {
        ...v2.data.character_book,
        entries: [{ ...v2.data.character_book.entries[0]!, comment: 'c'.repeat(800), insertion_order: 1.5 }],
      },
      another_tool_key: 1,
    };
    const decoded = decodeCard(JSON.stringify({ ...v2, data }));
    expect(decoded.card.character_version).toBe('3');
    const saved = contract['npc.save'].input.safeParse({ card: decoded.card, ...(decoded.studio ? { studio: decoded.studio } : {}) });
    expect(saved.error?.issues).toBeUndefined();
    expect(saved.data?.card).toEqual(decoded.card);
  });

  it('npc.save bounds the card as a whole and checks sampling', () => {
    const base = { card: { name: 'Mira' }, studio: { processor: 'local', model: 'llama3.2' } };
    const tooBig = contract['npc.save'].input.safeParse({ ...base, card: { name: 'Mira', description: 'x'.repeat(LIMITS.cardJson) } });
    expect(tooBig.error?.issues[0]).toMatchObject({ path: ['card'], message: expect.stringMatching(/at most 2,000,000/) });
    const badKeepAlive = contract['npc.save'].input.safeParse({ ...base, studio: { ...base.studio, sampling: { keepAlive: 'soon' } } });
    expect(badKeepAlive.error?.issues[0]?.path).toEqual(['studio', 'sampling', 'keepAlive']);
  });
});
