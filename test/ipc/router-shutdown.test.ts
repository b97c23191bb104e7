/* A call cut short because shutdown began answers ShuttingDown; other failures keep their code. */
import { describe, expect, it } from 'vitest';
import { createRouter } from '../../electron/host/ipc/router';
import { fakeHandlers, trustedSender } from './fake-handlers';

const ctx = { sender: trustedSender };

/** A handler that is in flight when shutdown begins, then fails with `error`. */
function cutShort(error: Error) {
  let accepting = true;
  let fail: () => void = () => undefined;
  let markStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const handlers = fakeHandlers({
    'knowledge.search': () =>
      new Promise((_, reject) => {
        fail = () => reject(error);
        markStarted();
      }),
  });
  const router = createRouter(handlers, { isAccepting: () => accepting, collectHealth: async () => [] });
  const call = router.call('knowledge.search', { npcId: 'mira', query: 'keep', limit: 1 }, ctx);
  return {
    call,
    started,
    shutDown: () => (accepting = false),
    fail: () => fail(),
    close: () => router.close(),
  };
}

describe('router: work cut by shutdown', () => {
  it('an abort after shutdown began answers ShuttingDown, keeping the cause in the message', async () => {
    const c = cutShort(new DOMException('The local processor is closing', 'AbortError'));
    await c.started;
    c.shutDown();
    c.fail();
    expect(await c.call).toEqual({
      ok: false,
      error: {
        code: 'ShuttingDown',
        message: 'The studio is shutting down; this call was stopped before it finished (The local processor is closing)',
      },
    });
    c.close();
  });

  it('an abort wrapped in a cause chain is recognised too', async () => {
    const c = cutShort(new Error('embedding failed', { cause: new DOMException('This operation was aborted', 'AbortError') }));
    await c.started;
    c.shutDown();
    c.fail();
    expect(await c.call).toMatchObject({ ok: false, error: { code: 'ShuttingDown' } });
    c.close();
  });

  it('an abort while the studio runs, and a plain failure during shutdown, keep the Internal code', async () => {
    const running = cutShort(new DOMException('stopped by the designer', 'AbortError'));
    await running.started;
    running.fail();
    expect(await running.call).toMatchObject({ ok: false, error: { code: 'Internal' } });
    running.close();

    const broken = cutShort(new Error('disk on fire'));
    await broken.started;
    broken.shutDown();
    broken.fail();
    expect(await broken.call).toMatchObject({ ok: false, error: { code: 'Internal', message: 'disk on fire' } });
    broken.close();
  });
});
