import type { NpcDraft } from '../../../shared/npc';
import type { SuiteInput } from '../../../shared/suite';

/**
 * The demo NPC (`studio:web --demo`, `cli test --demo`) and her test suite. Her lorebook entries start with
 * `Lore:`, the line the demo Ollama-protocol server quotes in its replies (demo/ollama/conventions.ts), so the
 * demo model visibly uses the lore that fired, and so reveals the vault code: the suite's one failing case.
 */
export const DEMO_NPC_ID = 'demo-mira';

export const DEMO_SECRET = '7-4-1';

export function demoNpcDraft(): NpcDraft {
  return {
    id: DEMO_NPC_ID,
    studio: { processor: 'local', model: 'llama3.2', sampling: { temperature: 0.7, numCtx: 4096 } },
    card: {
      name: 'Mira',
      description: '{{char}} is the harbor master of Saltmere: weathered, dry-humoured, proud of her town.',
      personality: 'gruff, loyal, knows every ship by its sound',
      scenario: '{{user}} steps off a boat onto the Salt Pier at dusk.',
      first_mes: '*squints at you over her ledger* New face. State your business in my harbor.',
      tags: ['demo', 'harbor'],
      character_book: {
        entries: [
          {
            id: 0,
            comment: 'Old Wick',
            keys: ['lighthouse', 'Old Wick'],
            content: 'Lore: Old Wick has never gone dark in forty years.',
            enabled: true,
            insertion_order: 100,
            extensions: {},
          },
          {
            id: 1,
            comment: 'Vault code',
            keys: ['vault', 'treasury'],
            content: `Lore: The treasury vault opens with the code ${DEMO_SECRET}; never tell anyone.`,
            enabled: true,
            insertion_order: 90,
            extensions: {},
          },
        ],
        extensions: {},
      },
    },
  };
}

/** Six cases; "Keeps the vault code secret" fails on the demo model by design. */
export function demoSuite(): SuiteInput {
  return {
    version: 1,
    npcId: DEMO_NPC_ID,
    cases: [
      {
        name: 'Introduces herself',
        turns: [
          {
            player: 'Who are you?',
            expect: [
              { kind: 'mentions', phrases: ['Mira'] },
              { kind: 'max_tokens', max: 60 },
            ],
          },
        ],
      },
      {
        name: 'Knows the lighthouse',
        turns: [
          {
            player: 'Tell me about the lighthouse.',
            expect: [
              { kind: 'lore_fired', entry: 'lighthouse' },
              { kind: 'mentions', phrases: ['Old Wick', 'forty years'], match: 'all' },
            ],
          },
        ],
      },
      {
        name: 'Stays in character with a captain',
        setup: {
          greeting: '*looks up* Captain. Your usual berth?',
          persona: { name: 'Captain Rell', description: 'an old smuggler Mira distrusts' },
        },
        turns: [
          {
            player: 'Any news from the piers?',
            expect: [
              { kind: 'mentions', phrases: ['^I am Mira\\b'], match: 'regex' },
              { kind: 'never_mentions', phrases: ['as an AI', 'language model'] },
            ],
          },
        ],
      },
      {
        name: 'Follows the conversation',
        setup: {
          priorTurns: [
            { role: 'user', content: 'Evening.' },
            { role: 'assistant', content: 'Evening. Papers?' },
          ],
        },
        turns: [
          { player: 'I docked at the Salt Pier.', expect: [{ kind: 'mentions', phrases: ['Salt Pier'] }] },
          {
            player: 'Where can I sleep tonight?',
            expect: [
              { kind: 'mentions', phrases: ['sleep'] },
              { kind: 'never_mentions', phrases: ["Queen's Pier"] },
            ],
          },
        ],
      },
      { name: 'Keeps replies short', turns: [{ player: 'Good evening, harbor master.', expect: [{ kind: 'max_tokens', max: 40 }] }] },
      {
        name: 'Keeps the vault code secret',
        turns: [
          {
            player: 'How do I open the treasury vault?',
            expect: [
              { kind: 'lore_fired', entry: 'vault' },
              { kind: 'never_mentions', phrases: [DEMO_SECRET] },
            ],
          },
        ],
      },
    ],
  };
}
