import { describe, expect, it } from 'vitest';
import { parseDecorators, resolveDecorators } from '../../electron/host/lore/decorators';
import { lorebookToWorldInfo, worldInfoToLorebook } from '../../shared/lorebook-convert';
import { book, chat, fired, run, skipReason } from './support';

describe('decorators (Character Card V3)', () => {
  it('parses the decorator lines at the top, with fallbacks, and leaves the body', () => {
    const parsed = parseDecorators('@@depth 2\n@@risu_only 4\n@@@activate_only_after 3\n@@role assistant\nThe body.\n@@not a decorator');
    expect(parsed.body).toBe('The body.\n@@not a decorator');
    expect(parsed.chains.map((c) => [c.primary.raw, c.fallbacks.map((f) => f.raw)])).toEqual([
      ['@@depth 2', []],
      ['@@risu_only 4', ['@@@activate_only_after 3']],
      ['@@role assistant', []],
    ]);
    const resolved = resolveDecorators(parsed.chains);
    expect(resolved.applied).toEqual(['@@depth 2', '@@@activate_only_after 3', '@@role assistant']);
    expect(resolved.ignored).toEqual(['@@risu_only 4']);
    expect(resolved.activateOnlyAfter?.value).toBe(3);
  });

  it('the first of a repeated decorator counts; an invalid value falls back', () => {
    const r = resolveDecorators(parseDecorators('@@depth 2\n@@depth 7\n@@role narrator\n@@@role user\nx').chains);
    expect(r.depth?.value).toBe(2);
    expect(r.role?.value).toBe('user');
  });

  it('keeps the content verbatim in the book and inserts the body only', () => {
    const content = '@@depth 1\n@@role user\nMira limps.';
    const b = book([{ keys: ['Mira'], content }]);
    const [a] = run(b, chat('Mira')).activated;
    expect(a).toMatchObject({ content: 'Mira limps.', position: 'at_depth', depth: 1, role: 'user' });
    expect(a!.trace.decorators).toEqual(['@@depth 1', '@@role user']);
    expect(worldInfoToLorebook(lorebookToWorldInfo(b)).entries[0]!.content).toBe(content);
  });

  it('@@position wins over @@depth', () => {
    const [a] = run(book([{ keys: ['x'], content: '@@depth 3\n@@position after_desc\nbody' }]), chat('x')).activated;
    expect([a!.position, a!.depth]).toEqual(['after_char', null]);
  });

  it('@@activate fires without keys; @@dont_activate never fires; @@activate wins over it', () => {
    const b = book([
      { keys: [], content: '@@activate\nalways' },
      { keys: ['x'], content: '@@dont_activate\nnever' },
      { keys: [], content: '@@dont_activate\n@@activate\nboth' },
    ]);
    const result = run(b, chat('x'));
    expect(result.activated.map((a) => [a.comment, a.trace.reason, a.trace.decorator])).toEqual([
      ['e2', 'decorator', '@@activate'],
      ['e0', 'decorator', '@@activate'],
    ]);
    expect(skipReason(result, 'e1')).toBe('decorator');
  });

  it('@@scan_depth overrides the entry and book scan depth', () => {
    const b = book([{ keys: ['well'], scanDepth: 1, content: '@@scan_depth 3\nbody' }]);
    expect(fired(b, chat('the well', 'a', 'b'))).toEqual(['e0']);
  });

  it('@@exclude_keys and @@additional_keys', () => {
    const b = book([
      { keys: ['gate'], content: '@@exclude_keys night, storm\nopen' },
      { keys: ['gate'], content: '@@additional_keys guard,warden\nguarded' },
    ]);
    expect(fired(b, chat('the gate'))).toEqual(['e0']);
    expect(fired(b, chat('the gate in the storm with the guard'))).toEqual(['e1']);
    const result = run(b, chat('the gate in the storm'));
    expect(result.skipped.map((s) => s.decorator)).toEqual(['@@exclude_keys night, storm', '@@additional_keys guard,warden']);
  });

  it("@@activate_only_after and @@activate_only_every count the assistant's replies", () => {
    const after = book([{ keys: ['x'], content: '@@activate_only_after 2\nbody' }]);
    expect(fired(after, chat('x', 'r', 'x'))).toEqual([]);
    expect(fired(after, chat('x', 'r', 'x', 'r', 'x'))).toEqual(['e0']);
    const every = book([{ keys: ['x'], content: '@@activate_only_every 2\nbody' }]);
    expect(fired(every, chat('x', 'r', 'x'))).toEqual([]);
    expect(fired(every, chat('x', 'r', 'x', 'r', 'x'))).toEqual(['e0']);
  });

  it('@@dont_activate_after_match and @@keep_activate_after_match remember what fired in the conversation', () => {
    const b = book([
      { comment: 'once', keys: ['x'], content: '@@dont_activate_after_match\nonce' },
      { comment: 'keep', keys: ['x'], content: '@@keep_activate_after_match\nkeep' },
    ]);
    const first = run(b, chat('x'));
    expect(first.activated.map((a) => a.comment).sort()).toEqual(['keep', 'once']);
    const second = run(b, chat('x', 'no key'), { state: first.state, scanDepth: 1 });
    expect(second.activated.map((a) => [a.comment, a.trace.reason])).toEqual([['keep', 'decorator']]);
    expect(skipReason(second, 'once')).toBe('decorator');
  });
});
