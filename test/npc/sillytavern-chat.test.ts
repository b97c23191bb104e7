/* SillyTavern chat import (issue K item 1): what is kept (messages, swipes as alternatives, the author's note), what is dropped and why. */
import { describe, expect, it } from 'vitest';
import { ChatImportError, dateOf, parseSillyTavernChat } from '../../electron/host/npc/sillytavern-chat';

const header = {
  user_name: 'You',
  character_name: 'Mira',
  create_date: '2024-3-5 @14h 02m 11s 123ms',
  chat_metadata: { note_prompt: '[Mira is tired.]', note_depth: 2, note_role: 0, note_interval: 1, tainted: true },
};
const lines = [
  header,
  {
    name: 'Mira',
    is_user: false,
    is_system: false,
    send_date: '2024-3-5 @14h 02m 11s 123ms',
    mes: 'Welcome to the forge.',
    swipes: ['Welcome to the forge.', 'Back again?'],
    swipe_id: 0,
    extra: {},
  },
  { name: 'You', is_user: true, is_system: false, send_date: 'March 5, 2024 2:03pm', mes: 'Hello', extra: { display_text: 'Hallo' } },
  {
    name: 'Mira',
    is_user: false,
    send_date: 1709647400000,
    mes: 'Second try.',
    swipes: ['First try.', 'Second try.', 'Third try.'],
    swipe_id: 1,
    swipe_info: [{}, {}, {}],
    gen_started: 'x',
    extra: { api: 'openai', model: 'gpt' },
  },
  { name: 'System', is_user: false, is_system: true, mes: 'Hidden note' },
  'not json at all',
  { name: 'Mira', is_user: false, mes: { message: 'From Chub.' }, swipes: [{ message: 'From Chub.' }] },
];
const file = lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\r\n') + '\n';

describe('SillyTavern chat import', () => {
  it("keeps messages, swipes as alternatives with the chosen one, and the author's note; reports what it dropped", () => {
    const chat = parseSillyTavernChat('Mira - 2024-3-5.jsonl', file);
    expect(chat.messages.map((m) => [m.id, m.role, m.text, m.chosen, m.swipes.length, m.greeting])).toEqual([
      ['m1', 'assistant', 'Welcome to the forge.', 0, 2, true],
      ['m2', 'user', 'Hello', 0, 1, false],
      ['m3', 'assistant', 'Second try.', 1, 3, false],
      ['m4', 'assistant', 'From Chub.', 0, 1, false],
    ]);
    expect(chat.messages[2]!.swipes.map((s) => s.text)).toEqual(['First try.', 'Second try.', 'Third try.']);
    expect(chat.messages[2]!.createdAt).toBe(new Date(1709647400000).toISOString());
    expect(chat.authorsNote).toEqual({ text: '[Mira is tired.]', depth: 2, role: 'system' });
    expect(chat.report).toMatchObject({ messages: 4, alternatives: 3, userName: 'You', characterName: 'Mira' });
    expect(chat.report.skipped).toEqual([
      { line: 5, reason: expect.stringMatching(/system message/) },
      { line: 6, reason: 'not valid JSON' },
    ]);
    const dropped = Object.fromEntries(chat.report.dropped.map((d) => [d.field, d.count]));
    expect(dropped).toMatchObject({ extra: 3, swipe_info: 1, gen_started: 1, name: 4, chat_metadata: 1 });
    for (const d of chat.report.dropped) expect(d.why.length).toBeGreaterThan(10);
  });

  it("reads SillyTavern's own date format", () => {
    expect(dateOf('2024-3-5 @14h 02m 11s 123ms')).toBe(new Date(2024, 2, 5, 14, 2, 11, 123).toISOString());
    expect(dateOf('not a date')).toBeNull();
  });

  it('refuses a file whose first line is not the chat metadata, or with no usable message', () => {
    expect(() => parseSillyTavernChat('x.jsonl', '{"mes":"hi"}\n')).toThrow(ChatImportError);
    expect(() => parseSillyTavernChat('x.jsonl', JSON.stringify(header) + '\n{"is_system":true,"mes":"x"}\n')).toThrow(
      /none of its 1 message line/,
    );
  });
});
