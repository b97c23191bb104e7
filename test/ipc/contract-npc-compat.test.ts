import { describe, expect, it } from 'vitest';
import { npcDraftSchema, npcSchema, type Npc as StoreNpc, type NpcDraft } from '../../electron/host/npc/npc-schema';
import { contract, type Output, type ParsedInput } from '../../shared/contract';
import { cardDataSchema, type Npc as WireNpc } from '../../shared/npc';
import { fullCardV2 } from '../npc/card-fixtures';

/**
 * The wire NPC (shared/npc.ts) and the store's NPC (electron/host/npc/npc-schema.ts) are separate
 * schemas (the contract adds IPC limits); handlers pass values between them without mapping.
 * The assignments below fail to compile when the two drift apart.
 */
const storeToWire = (npc: StoreNpc): Output<'npc.get'> => npc;
const wireToStore = (input: ParsedInput<'npc.save'>): NpcDraft => input;
void storeToWire;
void wireToStore;

describe('contract ↔ NPC store schemas', () => {
  it('a full Card V2 with unknown keys passes the wire schema unchanged and the store accepts it', () => {
    const card = { ...fullCardV2().data, another_tool_key: { kept: true } };
    const input = contract['npc.save'].input.parse({
      card,
      studio: { processor: 'local', model: 'llama3.2', sampling: { temperature: 0.7, numCtx: 4096, keepAlive: '5m' } },
    });
    expect(input.card).toEqual(cardDataSchema.parse(card));
    expect((input.card as Record<string, unknown>).another_tool_key).toEqual({ kept: true });
    const draft = npcDraftSchema.parse(input);
    expect(draft.card.name).toBe(card.name);
    expect(draft.card.character_book?.entries).toHaveLength(card.character_book.entries.length);
  });

  it('a stored NPC is a valid wire NPC', () => {
    const stored = npcSchema.parse({
      version: 1,
      id: 'mira-ashfield',
      createdAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-01-01T00:00:00.000Z',
      studio: { processor: 'hosted', model: 'anthropic.claude-3-haiku', sampling: {} },
      card: fullCardV2().data,
    });
    const wire: WireNpc = stored;
    expect(contract['npc.save'].input.safeParse({ id: wire.id, card: wire.card, studio: wire.studio }).success).toBe(true);
  });

  it('the wire schema bounds what the store would take: oversized text and bad sampling are refused', () => {
    const base = { card: { name: 'Mira' }, studio: { processor: 'local', model: 'llama3.2' } };
    const tooLong = contract['npc.save'].input.safeParse({ ...base, card: { name: 'Mira', description: 'x'.repeat(50_001) } });
    expect(tooLong.success).toBe(false);
    const badKeepAlive = contract['npc.save'].input.safeParse({ ...base, studio: { ...base.studio, sampling: { keepAlive: 'soon' } } });
    expect(badKeepAlive.error?.issues[0]?.path).toEqual(['studio', 'sampling', 'keepAlive']);
  });
});
