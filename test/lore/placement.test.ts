import { describe, expect, it } from 'vitest';
import { book, chat, run } from './support';

describe('positions and order', () => {
  it('comes out in ascending order (higher order goes later, nearer the chat)', () => {
    const b = book([
      { comment: 'c', keys: ['a'], order: 30 },
      { comment: 'a', keys: ['a'], order: 10 },
      { comment: 'b', keys: ['a'], order: 20 },
    ]);
    expect(run(b, chat('a')).activated.map((x) => [x.comment, x.order])).toEqual([
      ['a', 10],
      ['b', 20],
      ['c', 30],
    ]);
  });

  it('equal orders come out in reverse activation order, as SillyTavern builds the prompt', () => {
    const b = book([
      { comment: 'first', keys: ['a'] },
      { comment: 'second', keys: ['a'] },
    ]);
    expect(run(b, chat('a')).activated.map((x) => x.comment)).toEqual(['second', 'first']);
  });

  it('reports position, depth and role; depth and role only for at_depth', () => {
    const b = book([
      { comment: 'before', keys: ['a'], position: 'before_char', order: 1 },
      { comment: 'after', keys: ['a'], position: 'after_char', order: 2 },
      { comment: 'deep', keys: ['a'], position: 'at_depth', depth: 2, role: 'assistant', order: 3 },
      { comment: 'deep-default', keys: ['a'], position: 'at_depth', order: 4 },
      { comment: 'note-top', keys: ['a'], position: 'an_top', order: 5 },
      { comment: 'examples', keys: ['a'], position: 'em_bottom', order: 6 },
      { comment: 'unset', keys: ['a'], order: 7 },
    ]);
    expect(run(b, chat('a')).activated.map((x) => [x.comment, x.position, x.depth, x.role])).toEqual([
      ['before', 'before_char', null, 'system'],
      ['after', 'after_char', null, 'system'],
      ['deep', 'at_depth', 2, 'assistant'],
      ['deep-default', 'at_depth', 4, 'system'],
      ['note-top', 'an_top', null, 'system'],
      ['examples', 'em_bottom', null, 'system'],
      ['unset', 'before_char', null, 'system'],
    ]);
  });

  it('content goes in with macros replaced; an entry with empty content is reported, not inserted', () => {
    const b = book([
      { keys: ['a'], content: '{{char}} owns the forge.' },
      { keys: ['a'], content: '' },
    ]);
    const result = run(b, chat('a'), { render: (t) => t.replace('{{char}}', 'Mira') });
    expect(result.activated.map((x) => x.content)).toEqual(['Mira owns the forge.']);
    expect(result.skipped.map((s) => [s.comment, s.reason])).toEqual([['e1', 'empty_content']]);
  });

  it("the NPC's own book and attached books scan together by order; ids name the book", () => {
    const own = book([{ comment: 'own', keys: ['a'], order: 50 }]);
    const attached = book([{ comment: 'shared', keys: ['a'], order: 60, id: 7 }]);
    const result = run(
      [
        { id: 'npc:mira', book: own },
        { id: 'lb-harbor', book: attached },
      ],
      chat('a'),
    );
    expect(result.activated.map((x) => [x.book, x.entry, x.comment])).toEqual([
      ['npc:mira', '0', 'own'],
      ['lb-harbor', '7', 'shared'],
    ]);
  });
});
