import { describe, expect, it } from 'vitest';
import { npcSchema } from '../../shared/npc';
import { fieldErrors, textToKeys, withField } from '../../renderer/src/panels/lorebook-form';
import { formFromNpc, inputFromForm } from '../../renderer/src/panels/npc-form';

/** The renderer's form helpers for lorebooks: what the editors send and where their errors show. */

const npc = npcSchema.parse({
  version: 1,
  id: 'mira',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  studio: { processor: 'local', model: 'llama3.2', sampling: {}, lorebooks: ['harbor-1a2b3c', 'docks-4d5e6f'] },
  card: { name: 'Mira' },
});

describe('NPC editor form', () => {
  it('keeps the attached lorebooks through edit and save, and drops the key once none is attached', () => {
    const form = formFromNpc(npc);
    expect(inputFromForm(form).studio).toMatchObject({ lorebooks: ['harbor-1a2b3c', 'docks-4d5e6f'] });
    expect(inputFromForm({ ...form, lorebooks: [] }).studio).not.toHaveProperty('lorebooks');
  });

  it('saves untouched lore keys as they were (an empty key, a comma in a regex key); edited keys are split on commas', () => {
    const keys = [[''], ['/\\bpier\\s*\\d{1,3}\\b/i', 'docks'], ['  spaced  ']];
    const card = { name: 'Mira', character_book: { entries: keys.map((k, i) => ({ keys: k, content: `entry ${i}` })) } };
    const form = formFromNpc(npcSchema.parse({ ...npc, card }));
    expect(inputFromForm(form).card.character_book?.entries.map((e) => e.keys)).toEqual(keys);
    const edited = { ...form, lore: form.lore.map((e, i) => (i === 1 ? { ...e, keys: 'pier, docks , ' } : e)) };
    expect(inputFromForm(edited).card.character_book?.entries[1]!.keys).toEqual(['pier', 'docks']);
  });
});

describe('lorebook editor form', () => {
  it('puts each error under its field: the name, a book setting, an entry field', () => {
    const errors = fieldErrors({
      name: ' ',
      book: { scanDepth: 2000, entries: [{ keys: ['ok'] }, { keys: ['k'.repeat(501)], scanDepth: 5000, probability: 150 }] },
    });
    expect(errors).toEqual({
      name: 'give the lorebook a name',
      'book.scanDepth': 'scan depth may be at most 1000 messages',
      'entries.1.keys': 'a key may have at most 500 characters',
      'entries.1.scanDepth': 'scan depth may be at most 1000 messages',
      'entries.1.probability': expect.stringMatching(/100/),
    });
    expect(fieldErrors({ name: 'Harbor', book: { entries: [{ keys: ['ok'] }] } })).toEqual({});
  });

  it('leaves a field absent until it is set, and removes it when cleared, so an untouched file keeps its shape', () => {
    const entry = { keys: ['a'] };
    expect(withField(entry, 'scanDepth', 3)).toEqual({ keys: ['a'], scanDepth: 3 });
    expect(withField({ keys: ['a'], scanDepth: 3 }, 'scanDepth', undefined)).toEqual({ keys: ['a'] });
    expect(textToKeys('harbor\n /pier\\s*\\d+/i \n\n')).toEqual(['harbor', '/pier\\s*\\d+/i']);
  });
});
