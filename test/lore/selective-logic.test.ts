import { describe, expect, it } from 'vitest';
import { book, chat, fired, run, skipReason } from './support';

/** Primary key "Varn", secondary keys "debt" and "money", under each of SillyTavern's four logics. */
describe('selective logic (world_info_logic)', () => {
  const cases = [
    { logic: 'and_any', text: 'Varn wants his money', fires: true },
    { logic: 'and_any', text: 'Varn came by', fires: false },
    { logic: 'and_all', text: 'Varn wants his money for the debt', fires: true },
    { logic: 'and_all', text: 'Varn wants his money', fires: false },
    { logic: 'not_any', text: 'Varn came by', fires: true },
    { logic: 'not_any', text: 'Varn wants his money', fires: false },
    { logic: 'not_all', text: 'Varn wants his money', fires: true },
    { logic: 'not_all', text: 'Varn wants his money for the debt', fires: false },
  ] as const;

  it.each(cases)('$logic on "$text" → $fires', ({ logic, text, fires }) => {
    const b = book([{ keys: ['Varn'], secondaryKeys: ['debt', 'money'], selective: true, selectiveLogic: logic }]);
    const result = run(b, chat(text));
    expect(result.activated.map((a) => a.comment)).toEqual(fires ? ['e0'] : []);
    if (!fires) expect(skipReason(result, 'e0')).toBe('secondary_logic_failed');
  });

  it('records the primary and the secondary key that decided it', () => {
    const b = book([{ keys: ['Varn'], secondaryKeys: ['debt', 'money'], selective: true, selectiveLogic: 'and_any' }]);
    const [a] = run(b, chat('Varn wants his money')).activated;
    expect(a!.trace).toMatchObject({ reason: 'key', key: 'Varn', secondaryKey: 'money' });
  });

  it('secondary keys are ignored when selective is off or absent', () => {
    expect(fired(book([{ keys: ['Varn'], secondaryKeys: ['money'], selectiveLogic: 'and_all' }]), chat('Varn came by'))).toEqual(['e0']);
    const b = book([{ keys: ['Varn'], secondaryKeys: ['money'], selective: false, selectiveLogic: 'and_all' }]);
    expect(fired(b, chat('Varn came by'))).toEqual(['e0']);
  });

  it('an unknown logic number never fires instead of guessing', () => {
    const b = book([{ keys: ['Varn'], secondaryKeys: ['money'], selective: true, selectiveLogic: 9 }]);
    expect(fired(b, chat('Varn and money'))).toEqual([]);
  });

  it('a key that matches nothing is reported as no key match', () => {
    const result = run(book([{ keys: ['Varn'] }]), chat('hello'));
    expect(skipReason(result, 'e0')).toBe('no_key_match');
  });
});
