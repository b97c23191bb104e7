/*
 * app.openExternal: a confirmed link from a reply opens in the system browser through the shell's openExternal;
 * only http, https and mailto links pass the contract, and the web host (no openExternal) answers a typed error.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { appHandlers } from '../../electron/host/ipc/handlers/app-handlers';
import { withDomainErrors } from '../../electron/host/ipc/handlers/domain-errors';
import type { StudioServices } from '../../electron/host/ipc/handlers/services';
import { createRouter, type Router } from '../../electron/host/ipc/router';
import { fakeHandlers, trustedSender } from './fake-handlers';

let router: Router | undefined;

afterEach(() => {
  router?.close();
  router = undefined;
});

function routerWith(openExternal?: (url: string) => Promise<void>): Router {
  const services = { ...(openExternal ? { openExternal } : {}) } as unknown as StudioServices;
  router = createRouter(fakeHandlers(withDomainErrors(appHandlers(services))), { isAccepting: () => true, collectHealth: async () => [] });
  return router;
}

describe('app.openExternal', () => {
  it("opens web and mail links with the shell's openExternal", async () => {
    const opened: string[] = [];
    const r = routerWith(async (url) => void opened.push(url));
    for (const url of ['https://example.com/forge?tab=prices', 'http://example.com', 'mailto:mira@example.com'])
      expect(await r.call('app.openExternal', { url }, { sender: trustedSender })).toEqual({ ok: true, value: { opened: true } });
    expect(opened).toEqual(['https://example.com/forge?tab=prices', 'http://example.com', 'mailto:mira@example.com']);
  });

  it('refuses any other link at the contract, naming the field, and opens nothing', async () => {
    const opened: string[] = [];
    const r = routerWith(async (url) => void opened.push(url));
    for (const url of [
      'javascript:alert(1)',
      'file:///etc/passwd',
      'data:text/html,x',
      'relative/path',
      '',
      `https://e.com/${'a'.repeat(3000)}`,
    ]) {
      const result = await r.call('app.openExternal', { url }, { sender: trustedSender });
      expect(result).toMatchObject({ ok: false, error: { code: 'ValidationError', issues: [{ path: 'url' }] } });
    }
    expect(await r.call('app.openExternal', { url: 'https://e.com', extra: 1 }, { sender: trustedSender })).toMatchObject({
      ok: false,
      error: { code: 'ValidationError' },
    });
    expect(opened).toEqual([]);
  });

  it('answers a typed error in the web host, saying the browser opens links itself', async () => {
    const r = routerWith();
    const result = await r.call('app.openExternal', { url: 'https://example.com' }, { sender: trustedSender });
    expect(result).toMatchObject({ ok: false, error: { code: 'ProviderUnavailable', message: /browser, which opens links itself/ } });
  });
});
