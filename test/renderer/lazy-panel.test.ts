import { describe, expect, it } from 'vitest';
import { PanelLoadError, panelLoader } from '../../renderer/src/lazy-panel';

describe('panelLoader', () => {
  it('imports once, however often it is asked, and then has the value at hand', async () => {
    let calls = 0;
    const loader = panelLoader('Logs', async () => {
      calls += 1;
      return 'LogsPanel';
    });
    expect(loader.loaded()).toBeNull();
    const [a, b] = await Promise.all([loader.load(), loader.load()]);
    expect([a, b, loader.loaded()]).toEqual(['LogsPanel', 'LogsPanel', 'LogsPanel']);
    await loader.load();
    expect(calls).toBe(1);
  });

  it('explains a failed import in plain words; keeps the failure until retry(), then imports again', async () => {
    let calls = 0;
    const loader = panelLoader('Resources', async () => {
      calls += 1;
      if (calls === 1) throw new TypeError('Failed to fetch dynamically imported module: /assets/ResourcesPanel-1Z_heWtb.js');
      return 'ResourcesPanel';
    });
    const failure = await loader.load().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(PanelLoadError);
    const message = (failure as PanelLoadError).message;
    expect(message).toMatch(/^The Resources panel could not be loaded \(Failed to fetch .*\)\. Reload the window/);
    expect(loader.loaded()).toBeNull();
    // A render meeting the failure gets the same rejection, not a new fetch (else Suspense would retry forever).
    await expect(loader.load()).rejects.toBe(failure);
    expect(calls).toBe(1);
    (failure as PanelLoadError).retry();
    await expect(loader.load()).resolves.toBe('ResourcesPanel');
    expect(calls).toBe(2);
  });
});
