import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../electron/host/processors/processor';
import { assemblePrompt } from '../../electron/host/npc/prompt/assemble';
import { cardDataSchema, DEFAULT_NUM_CTX, DEFAULT_REPLY_RESERVE, type CardData, type StudioSettings } from '../../shared/npc';
import { renderGreetings } from '../../electron/host/npc/prompt/macros';
import { PromptOverflowError } from '../../electron/host/npc/prompt/prompt-overflow-error';
import { loreFrom, npcNameFrom, systemPromptOf } from '../../electron/host/demo/ollama/conventions';
import { fullCardV2 } from './card-fixtures';
import { lorebookSchema } from '../../shared/lorebook';
import { replyLoreTraceSchema } from '../../shared/lorebook-trace';
import { npcLorebooks } from '../../electron/host/lore/npc-lore';

const card = (): CardData => cardDataSchema.parse(fullCardV2().data);
const studio = (sampling: StudioSettings['sampling'] = {}): StudioSettings => ({ processor: 'local', model: 'llama3.2', sampling });
const user = (content: string): ChatMessage => ({ role: 'user', content });
const npc = (content: string): ChatMessage => ({ role: 'assistant', content });
/** The documented estimate, computed here from the strings sent, not from the assembler's own figures. */
const estimate = (system: string, messages: ChatMessage[]) =>
  Math.ceil(system.length / 4) + 4 + messages.reduce((n, m) => n + Math.ceil(m.content.length / 4) + 4, 0);

const chunks = [
  { id: 'c2', source: 'atlas.md', text: 'The chapel of Saint Orla\nstands on the hill.', distance: 0.4 },
  { id: 'c1', source: 'history.txt', text: 'Emberfall burned in the year 812.', distance: 0.1 },
];

describe('assemblePrompt', () => {
  it('builds the system prompt from the card with macros, {{original}}, lore placement and a Lore: section', () => {
    const out = assemblePrompt({
      npcId: 'mira',
      card: card(),
      studio: studio(),
      history: [npc('Hello.'), user('What is the Moonwell? And Varn?')],
      chunks,
      userName: 'Ada',
    });
    const expected = [
      "You are Mira Ashfield in a fictional chat with Ada. Write only Mira Ashfield's next reply, and stay in character. " +
        'Mira Ashfield never sells her sword.',
      'The Moonwell is a spring under the old chapel whose water cools blades forever.',
      'Mira Ashfield is the blacksmith of Emberfall. She distrusts Ada at first.\n' +
        "Mira Ashfield's personality: gruff, loyal, curious about old metal\n" +
        'Scenario: Ada walks into the forge at dusk.',
      'Varn is the mayor; Mira owes him money.',
      'Lore:\n- [history.txt] Emberfall burned in the year 812.\n- [atlas.md] The chapel of Saint Orla stands on the hill.',
      'Example dialogue:\n<START>\nAda: Nice sword.\nMira Ashfield: It is not for sale.',
    ].join('\n\n');
    expect(out.system).toBe(expected);
    expect(out.messages).toEqual([
      npc('Hello.'),
      user('What is the Moonwell? And Varn?'),
      { role: 'system', content: 'Keep replies under 80 words.' },
    ]);
    expect(out).toMatchObject({ npcId: 'mira', model: 'llama3.2', sampling: { numCtx: DEFAULT_NUM_CTX } });
    expect(out.used.lore!.activated.map((a) => [a.entry, a.comment, a.trace.reason, a.trace.key])).toEqual([
      ['1', 'landmark', 'key', 'Moonwell'],
      // The second entry has no id, and its index (1) is the first one's id: it is named #1.
      ['#1', undefined, 'key', 'Varn'],
    ]);
    expect(out.used.chunks.map((c) => c.id)).toEqual(['c1', 'c2']);
    expect(out.used.budget).toEqual({
      numCtx: DEFAULT_NUM_CTX,
      replyReserve: DEFAULT_REPLY_RESERVE,
      available: DEFAULT_NUM_CTX - DEFAULT_REPLY_RESERVE,
    });
    expect(out.used.totalTokens).toBe(estimate(out.system, out.messages));
  });

  it('marks chunks so the Ollama test server finds the NPC name and quotes each chunk', () => {
    const out = assemblePrompt({ npcId: 'mira', card: card(), studio: studio(), history: [user('Moonwell?')], chunks });
    const system = systemPromptOf(out.messages, out.system);
    expect(npcNameFrom(system)).toBe('Mira Ashfield');
    expect(loreFrom(system)).toEqual([
      '[history.txt] Emberfall burned in the year 812.',
      '[atlas.md] The chapel of Saint Orla stands on the hill.',
    ]);
  });

  it('uses the default system prompt (or the studio one) when the card has none', () => {
    const plain = { ...card(), system_prompt: '', post_history_instructions: '' };
    const out = assemblePrompt({
      npcId: 'm',
      card: plain,
      studio: studio(),
      history: [user('hi')],
      defaultSystemPrompt: 'Play {{char}} for {{user}}.',
    });
    expect(out.system.split('\n\n')[0]).toBe('Play Mira Ashfield for User.');
    expect(out.messages).toEqual([user('hi')]);
  });

  it('trims history oldest first and keeps persona, triggered lore and the latest message', () => {
    const history: ChatMessage[] = [];
    for (let i = 0; i < 40; i++) history.push(user(`question ${i} ${'.'.repeat(200)}`), npc(`answer ${i} ${'.'.repeat(200)}`));
    history.push(user('Tell me about the Moonwell.'));
    const out = assemblePrompt({ npcId: 'm', card: card(), studio: studio({ numCtx: 2048, maxTokens: 256 }), history, chunks });
    const kept = out.messages.slice(0, -2);
    expect(out.used.historyDropped).toBeGreaterThan(0);
    expect(out.used.historyKept + out.used.historyDropped).toBe(history.length - 1);
    expect(kept).toEqual(history.slice(history.length - 1 - kept.length, -1)); // a contiguous recent window
    expect(out.messages.at(-2)).toEqual(user('Tell me about the Moonwell.'));
    expect(out.system).toContain('The Moonwell is a spring under the old chapel');
    expect(out.system).toContain('Mira Ashfield is the blacksmith of Emberfall');
    const total = estimate(out.system, out.messages);
    expect(total).toBe(out.used.totalTokens);
    expect(total).toBeLessThanOrEqual(2048 - 256);
    // One more message would not have fitted.
    const next = history[history.length - 2 - kept.length]!;
    expect(total + Math.ceil(next.content.length / 4) + 4).toBeGreaterThan(2048 - 256);
  });

  it('drops knowledge chunks (reported) before it would drop persona, and history before chunks', () => {
    // Room for exactly the required parts and the closer chunk.
    const room = assemblePrompt({ npcId: 'm', card: card(), studio: studio(), history: [user('Moonwell?')], chunks: [chunks[1]!] }).used
      .totalTokens;
    const out = assemblePrompt({
      npcId: 'm',
      card: card(),
      studio: studio({ numCtx: room + 256, maxTokens: 256 }),
      history: [npc('earlier reply'), user('Moonwell?')],
      chunks,
    });
    expect(out.used.chunks.map((c) => c.id)).toEqual(['c1']);
    expect(out.used.chunksDropped.map((c) => c.id)).toEqual(['c2']);
    expect(out.used.historyDropped).toBe(1);
    expect(out.system).toContain('- [history.txt] Emberfall burned');
  });

  it('fails with PromptOverflowError naming the sizes when persona and triggered lore alone do not fit', () => {
    const big = { ...card(), description: 'd'.repeat(8000) };
    let error: unknown;
    try {
      assemblePrompt({ npcId: 'm', card: big, studio: studio({ numCtx: 2048, maxTokens: 512 }), history: [user('Moonwell?')] });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PromptOverflowError);
    const overflow = error as PromptOverflowError;
    expect(overflow.budget).toEqual({ numCtx: 2048, replyReserve: 512, available: 1536 });
    expect(overflow.parts.card).toBeGreaterThan(2000);
    expect(overflow.parts.lorebook).toBeGreaterThan(0);
    expect(overflow.required).toBeGreaterThan(1536);
    expect(overflow.message).toMatch(
      new RegExp(
        `need ${overflow.required} tokens \\(.*card ${overflow.parts.card}.*lorebook ${overflow.parts.lorebook}.*\\) ` +
          'but only 1536 are available \\(num_ctx 2048 − 512 reserved',
      ),
    );
  });

  it(
    "keeps lore within a budget (the book's, else a quarter of the context): " + 'an entry over it is left out and traced, never silently',
    () => {
      const c = card();
      c.character_book!.token_budget = undefined;
      c.character_book!.entries[0]!.content = 'w'.repeat(10_000);
      // No book budget: SillyTavern's default, 25% of what the prompt may use (2048 − 512 → 384 tokens).
      const out = assemblePrompt({ npcId: 'm', card: c, studio: studio({ numCtx: 2048 }), history: [user('Moonwell')] });
      expect(out.system).not.toContain('wwww');
      expect(out.used.lore!.tokenBudget).toBe(384);
      expect(out.used.lore!.skipped).toEqual([
        expect.objectContaining({
          comment: 'landmark',
          reason: 'budget_evicted',
          detail: expect.stringMatching(/^evicted: 2500 token\(s\) .* budget of 384/),
        }),
      ]);
    },
  );

  it('counts admitted lore as required: a book budget larger than the context overflows instead of trimming lore away', () => {
    const c = card();
    c.character_book!.token_budget = 100_000;
    c.character_book!.entries[0]!.content = 'w'.repeat(10_000);
    expect(() => assemblePrompt({ npcId: 'm', card: c, studio: studio({ numCtx: 2048 }), history: [user('Moonwell')] })).toThrow(
      /lorebook 2500/,
    );
    expect(() =>
      assemblePrompt({ npcId: 'm', card: c, studio: studio({ numCtx: 2048 }), history: [user('nothing relevant')] }),
    ).not.toThrow();
  });

  it('always fits or says why (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 400 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 300, max: 3000 }),
        (texts, numCtx) => {
          const history = texts.map((t, i) => (i % 2 ? npc(t) : user(t)));
          try {
            const out = assemblePrompt({
              npcId: 'm',
              card: card(),
              studio: studio({ numCtx, maxTokens: 100 }),
              history: [...history, user('Moonwell')],
            });
            expect(estimate(out.system, out.messages)).toBeLessThanOrEqual(numCtx - 100);
            expect(out.system).toContain('The Moonwell is a spring');
          } catch (err) {
            expect(err).toBeInstanceOf(PromptOverflowError);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('renders greetings for a new chat', () => {
    expect(renderGreetings(card(), { char: 'Mira', user: 'Ada' })).toEqual([
      '*looks up from the anvil* What do you want, Ada?',
      '*wipes soot from her hands* Back again?',
      'The forge is closed, Ada.',
    ]);
  });
});

describe('assemblePrompt with lorebooks (card book, attached books, placement)', () => {
  const harbor = lorebookSchema.parse({
    name: 'Harbor',
    entries: [
      { id: 0, comment: 'pier', keys: ['pier 9'], content: 'Pier 9 is where the smugglers land.', position: 'after_char' },
      { id: 1, comment: 'tide', keys: ['tide'], content: 'The tide turns at midnight.', position: 'at_depth', depth: 1, role: 'assistant' },
      { id: 2, comment: 'bell', keys: ['tide'], content: 'The harbor bell rings twice.', position: 'at_depth', depth: 0, role: 'system' },
    ],
  });
  const withHarbor = (c: CardData) => {
    const own = npcLorebooks({ id: 'mira', card: c, studio: studio() }, null);
    return {
      books: [...own.books, { id: 'harbor', book: harbor }],
      named: [...own.named, { id: 'harbor', name: 'Harbor', how: 'attached' as const }],
      seed: 7,
    };
  };

  it('fires an attached book beside the card book, traced with the book named, each entry where its position says', () => {
    const history = [npc('The tide is high.'), user('What happens at pier 9? And the Moonwell?')];
    const out = assemblePrompt({ npcId: 'mira', card: card(), studio: studio(), history, lore: withHarbor(card()) });
    const trace = out.used.lore!;
    expect(trace.activated.map((a) => [a.book, a.comment ?? a.entry, a.trace.reason, a.trace.key])).toEqual([
      // Insertion order: order ascending (the card entry has 10, these the default 100), ties in reverse scan order.
      ['card-mira', 'landmark', 'key', 'Moonwell'],
      ['harbor', 'bell', 'key', 'tide'],
      ['harbor', 'tide', 'key', 'tide'],
      ['harbor', 'pier', 'key', 'pier 9'],
    ]);
    expect(trace.books.map((b) => [b.id, b.name, b.how])).toEqual([
      ['card-mira', 'Emberfall', 'card'],
      ['harbor', 'Harbor', 'attached'],
    ]);
    const parts = out.system.split('\n\n');
    expect(parts.indexOf('Pier 9 is where the smugglers land.')).toBe(
      parts.findIndex((p) => p.startsWith('Mira Ashfield is the blacksmith')) + 1,
    );
    // at_depth 1: before the last message, as an assistant message; depth 0: after it. Not in the system prompt.
    expect(out.messages.slice(0, 4)).toEqual([
      npc('The tide is high.'),
      { role: 'assistant', content: 'The tide turns at midnight.' },
      user('What happens at pier 9? And the Moonwell?'),
      { role: 'system', content: 'The harbor bell rings twice.' },
    ]);
    expect(out.system).not.toContain('The tide turns');
    expect(out.used.totalTokens).toBe(estimate(out.system, out.messages));
  });

  it('keeps what the prompt left out in the trace with the reason (here: the card book has no match for Varn)', () => {
    const out = assemblePrompt({ npcId: 'mira', card: card(), studio: studio(), history: [user('pier 9')], lore: withHarbor(card()) });
    expect(out.used.lore!.activated.map((a) => a.comment)).toEqual(['pier']);
    expect(out.used.lore!.quietSkips).toBe(4);
    expect(replyLoreTraceSchema.parse(out.used.lore)).toStrictEqual(out.used.lore);
  });
});
