/*
 * Opening a confirmed link from a reply: the desktop app asks the host (app.openExternal, the system browser),
 * the web host opens a new tab with no opener; links other than http, https and mailto are never opened.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

const calls: { channel: string; input: unknown }[] = [];
const opened: unknown[][] = [];

async function openLinkIn(kind: 'electron' | 'web') {
  vi.resetModules();
  const studio = {
    invoke: async (channel: string, input: unknown) => (calls.push({ channel, input }), { ok: true, value: { opened: true } }),
    on: () => () => undefined,
  };
  vi.stubGlobal('window', {
    ...(kind === 'electron' ? { studio } : {}),
    location: { href: 'http://127.0.0.1:1/' },
    open: (...args: unknown[]) => void opened.push(args),
  });
  return import('../../renderer/src/chat/open-link');
}

afterEach(() => {
  vi.unstubAllGlobals();
  calls.length = opened.length = 0;
});

describe('openOutside', () => {
  it('in the desktop app, asks the host to open the link and opens no window', async () => {
    const { openOutside } = await openLinkIn('electron');
    expect(await openOutside('https://example.com/forge')).toBe('opened');
    expect(calls).toEqual([{ channel: 'app.openExternal', input: { url: 'https://example.com/forge' } }]);
    expect(opened).toEqual([]);
  });

  it('in a browser, opens a new tab with no opener and calls no channel', async () => {
    const { openOutside } = await openLinkIn('web');
    expect(await openOutside('mailto:mira@example.com')).toBe('opened');
    expect(opened).toEqual([['mailto:mira@example.com', '_blank', 'noopener,noreferrer']]);
    expect(calls).toEqual([]);
  });

  it('refuses other links in either host', async () => {
    for (const kind of ['electron', 'web'] as const) {
      const { openOutside } = await openLinkIn(kind);
      expect(await openOutside('javascript:alert(1)')).toBe('refused');
    }
    expect(calls).toEqual([]);
    expect(opened).toEqual([]);
  });
});
