import { describe, expect, it } from 'vitest';
import { findKey, parseRegexKey } from '../../electron/host/lore/key-matching';
import type { LoreMessage } from '../../electron/host/lore/activation';
import { book, chat, fired, run, skipReason } from './support';

describe('constant and disabled', () => {
  it('a constant entry fires without any key, even with scan depth 0', () => {
    const result = run(book([{ keys: [], constant: true }]), chat('hello'), { scanDepth: 0 });
    expect(result.activated.map((a) => [a.comment, a.trace.reason])).toEqual([['e0', 'constant']]);
  });

  it('a disabled entry never fires, constant or matched', () => {
    const result = run(
      book([
        { keys: ['well'], enabled: false },
        { keys: [], constant: true, enabled: false },
      ]),
      chat('the well'),
    );
    expect(result.activated).toEqual([]);
    expect(result.skipped.map((s) => s.reason)).toEqual(['disabled', 'disabled']);
  });

  it('an entry without keys that is not constant is reported, and blank keys never match', () => {
    const result = run(book([{ keys: [] }, { keys: ['', '  '] }]), chat('anything at all'));
    expect(skipReason(result, 'e0')).toBe('no_keys');
    expect(skipReason(result, 'e1')).toBe('no_key_match');
  });
});

describe('regex keys (/pattern/flags)', () => {
  it('parses SillyTavern-style regex keys and refuses what is not one', () => {
    expect(parseRegexKey('/moon ?well/i')?.flags).toBe('i');
    expect(parseRegexKey('moonwell')).toBeNull();
    expect(parseRegexKey('/a/b/')).toBeNull(); // unescaped slash inside
    expect(parseRegexKey('/(unclosed/')).toBeNull(); // invalid pattern
    expect(parseRegexKey('/a\\/b/')!.test('a/b')).toBe(true);
  });

  it('a regex key matches by pattern; its own flags decide the case', () => {
    const b = book([{ keys: ['/moon ?well/'] }, { keys: ['/MOON ?WELL/i'] }, { keys: ['/MOON ?WELL/'] }]);
    expect(fired(b, chat('the Moon well? the moonwell')).sort()).toEqual(['e0', 'e1']);
  });

  it('a regex key ignores matchWholeWords and caseSensitive settings', () => {
    const b = book([{ keys: ['/ell/'], matchWholeWords: true, caseSensitive: true }]);
    expect(fired(b, chat('the moonwell'))).toEqual(['e0']);
  });
});

describe('case sensitivity and whole words', () => {
  it('keys match case-insensitively unless the entry (or the global option) says otherwise', () => {
    expect(fired(book([{ keys: ['VARN'] }]), chat('varn is here'))).toEqual(['e0']);
    expect(fired(book([{ keys: ['Varn'], caseSensitive: true }]), chat('varn is here'))).toEqual([]);
    expect(fired(book([{ keys: ['Varn'], caseSensitive: true }]), chat('Varn is here'))).toEqual(['e0']);
    expect(fired(book([{ keys: ['Varn'] }]), chat('varn'), { caseSensitive: true })).toEqual([]);
    expect(fired(book([{ keys: ['Varn'], caseSensitive: false }]), chat('varn'), { caseSensitive: true })).toEqual(['e0']);
  });

  it('with whole words a one-word key must stand alone; a several-word key still matches as a phrase', () => {
    const b = book([
      { keys: ['well'], matchWholeWords: true },
      { keys: ['old well'], matchWholeWords: true },
    ]);
    expect(fired(b, chat('the moonwell'))).toEqual([]);
    expect(fired(b, chat('the well, old wellspring')).sort()).toEqual(['e0', 'e1']);
    expect(findKey('(well)', 'well', { caseSensitive: false, matchWholeWords: true })).toBe(1);
    expect(fired(book([{ keys: ['well'] }]), chat('the moonwell'), { matchWholeWords: true })).toEqual([]);
  });
});

describe('scan depth', () => {
  const history = chat('the Moonwell', 'a', 'b');

  it('scans the last 2 messages by default (SillyTavern world_info_depth)', () => {
    expect(fired(book([{ keys: ['Moonwell'] }]), history)).toEqual([]);
    expect(fired(book([{ keys: ['Moonwell'] }]), history.slice(0, 2))).toEqual(['e0']);
  });

  it('per book, per entry (winning over the book) and global', () => {
    expect(fired(book([{ keys: ['Moonwell'] }], { scanDepth: 3 }), history)).toEqual(['e0']);
    expect(fired(book([{ keys: ['Moonwell'], scanDepth: 2 }], { scanDepth: 3 }), history)).toEqual([]);
    expect(fired(book([{ keys: ['Moonwell'], scanDepth: 3 }], { scanDepth: 1 }), history)).toEqual(['e0']);
    expect(fired(book([{ keys: ['Moonwell'] }]), history, { scanDepth: 3 })).toEqual(['e0']);
  });

  it('scan depth 0 scans nothing', () => {
    expect(fired(book([{ keys: ['Moonwell'], scanDepth: 0 }]), chat('Moonwell'))).toEqual([]);
  });

  it('the trace names the message the key matched in, by index and role, with an excerpt', () => {
    const [a] = run(book([{ keys: ['Moonwell'] }], { scanDepth: 3 }), history).activated;
    expect(a!.trace.matchedIn).toEqual({ kind: 'message', index: 0, role: 'user', excerpt: 'the Moonwell' });
  });

  it('keys are matched with macros replaced', () => {
    const b = book([{ keys: ['{{char}}'] }]);
    expect(fired(b, chat('Mira?'), { render: (t) => t.replace('{{char}}', 'Mira') })).toEqual(['e0']);
  });
});

describe('a long chat', () => {
  /** 500 messages that throw when their text is read, then `newest`: what the activation may read. */
  const longChat = (...newest: string[]): LoreMessage[] => [
    ...Array.from({ length: 500 }, (_, i): LoreMessage => ({
      role: i % 2 ? 'assistant' : 'user',
      get content(): string {
        throw new Error(`message ${i} is beyond the scan depth and was read`);
      },
    })),
    ...chat(...newest),
  ];

  it('is read only as far as the scan depth reaches, and not at all without entries (a turn does not pass over the whole chat)', () => {
    expect(run([], longChat('the Moonwell')).activated).toEqual([]);
    const [a] = run(book([{ keys: ['moonwell'] }], { scanDepth: 2 }), longChat('by the Moonwell', 'at dusk')).activated;
    expect(a!.trace.matchedIn).toEqual({ kind: 'message', index: 500, role: 'user', excerpt: 'by the Moonwell' });
    expect(() => run(book([{ keys: ['moonwell'] }], { scanDepth: 3 }), longChat('by the Moonwell', 'at dusk'))).toThrow(
      'message 499 is beyond the scan depth',
    );
  });
});
