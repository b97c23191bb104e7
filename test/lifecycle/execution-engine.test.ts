import { describe, expect, it } from 'vitest';
import { ExecutionEngine } from '../../electron/host/engine/execution-engine';
import { ShuttingDownError } from '../../electron/host/engine/errors';
import { memoryLogger } from '../../electron/host/log/logger';

const engine = () => new ExecutionEngine({ logger: memoryLogger().logger, abortGraceMs: 200 });

/** Work that resolves when told to, or rejects with the abort reason when aborted. */
function controllable() {
  let finish!: (v: string) => void;
  const saved: string[] = [];
  const work = (signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      finish = resolve;
      signal.addEventListener('abort', () => {
        saved.push('partial saved');
        reject(signal.reason);
      });
    });
  return { work, finish: (v: string) => finish(v), saved };
}

describe('ExecutionEngine', () => {
  it('tracks in-flight work and forgets it when it settles', async () => {
    const e = engine();
    const c = controllable();
    const result = e.run('chat', c.work);
    expect(e.inFlightCount).toBe(1);
    expect(e.list()[0]).toMatchObject({ label: 'chat' });
    c.finish('reply');
    await expect(result).resolves.toBe('reply');
    await Promise.resolve();
    expect(e.inFlightCount).toBe(0);
  });

  it('refuses new work once it stopped accepting', async () => {
    const e = engine();
    e.stopAccepting();
    await expect(e.run('chat', async () => 'x')).rejects.toBeInstanceOf(ShuttingDownError);
    await expect(e.run('chat', async () => 'x')).rejects.toMatchObject({ code: 'ShuttingDown' });
  });

  it('drain lets work finish before the deadline without aborting it', async () => {
    const e = engine();
    const c = controllable();
    const result = e.run('chat', c.work);
    e.stopAccepting();
    const drained = e.drain(5000);
    c.finish('done in time');
    expect(await drained).toMatchObject({ completed: 1, aborted: 0, abandoned: 0 });
    await expect(result).resolves.toBe('done in time');
    expect(c.saved).toEqual([]);
  });

  it('drain aborts what is left at the deadline and waits for it to save', async () => {
    const e = engine();
    const c = controllable();
    const result = e.run('chat', c.work);
    e.stopAccepting();
    const drained = await e.drain(30);
    expect(drained).toMatchObject({ completed: 0, aborted: 1, abandoned: 0 });
    expect(c.saved).toEqual(['partial saved']);
    await expect(result).rejects.toMatchObject({ name: 'AbortError' });
    expect(e.inFlightCount).toBe(0);
  });

  it('counts work that ignores the abort as abandoned', async () => {
    const e = engine();
    void e.run('stubborn', () => new Promise(() => undefined));
    expect(await e.drain(10)).toMatchObject({ aborted: 1, abandoned: 1 });
  });

  it('aborts the work when the caller aborts its own signal', async () => {
    const e = engine();
    const c = controllable();
    const caller = new AbortController();
    const result = e.run('chat', c.work, caller.signal);
    caller.abort(new DOMException('user pressed stop', 'AbortError'));
    await expect(result).rejects.toMatchObject({ message: 'user pressed stop' });
  });
});
