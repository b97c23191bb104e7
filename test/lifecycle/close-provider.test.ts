import { describe, expect, it } from 'vitest';
import { closeProvider } from '../../electron/host/lifecycle/close-provider';
import { memoryLogger } from '../../electron/host/log/logger';
import { eventually } from '../support/leaks';
import { ScriptedProvider } from '../support/scripted-provider';

describe('closeProvider', () => {
  it('logs when a close begins, so a hang shows in the log before its timeout', async () => {
    const { logger, ring } = memoryLogger();
    const timeoutMs = 1500;
    const closing = closeProvider(new ScriptedProvider('hanging', { close: { kind: 'hang' } }), timeoutMs, logger);
    const log = await eventually(
      () => ring.messages(),
      (lines) => lines.some((l) => l.includes('Closing provider hanging')),
    );
    expect(log).toContain(`INFO Closing provider hanging (cleanup, up to ${timeoutMs} ms)`);
    expect(
      log.some((l) => l.includes('timed out')),
      'the begin is logged before the timeout fires',
    ).toBe(false);
    expect(await closing).toMatchObject({ outcome: 'timed-out' });
  });

  it('logs the begin before the outcome of a close that ends', async () => {
    const { logger, ring } = memoryLogger();
    const record = await closeProvider(new ScriptedProvider('quick'), 1000, logger);
    expect(record.outcome).toBe('ok');
    const log = ring.messages();
    const begin = log.indexOf('INFO Closing provider quick (cleanup, up to 1000 ms)');
    expect(begin).toBeGreaterThanOrEqual(0);
    expect(log.findIndex((l) => l.includes('Cleaned up provider quick'))).toBeGreaterThan(begin);
  });
});
