import { describe, expect, it } from 'vitest';
import { toWireShutdownProgress } from '../../electron/host/ipc/shutdown-progress';

describe('shutdown progress on the wire', () => {
  it('maps step starts, provider records and the final event', () => {
    expect(toWireShutdownProgress({ type: 'step', step: 'clients', providers: ['ollama-local', 'bedrock'] })).toEqual({
      step: 'clients',
      outcome: 'started',
      providers: ['ollama-local', 'bedrock'],
    });
    expect(
      toWireShutdownProgress({
        type: 'provider',
        step: 'resources',
        record: {
          id: 'chroma-server',
          kind: 'chroma',
          step: 'resources',
          method: 'shutdown',
          outcome: 'timed-out',
          ms: 2001,
          error: 'shutdown of chroma-server timed out after 2000 ms',
          startedAt: 1,
          endedAt: 2002,
        },
      }),
    ).toEqual({
      step: 'resources',
      providerId: 'chroma-server',
      outcome: 'timed-out',
      ms: 2001,
      error: 'shutdown of chroma-server timed out after 2000 ms',
    });
    expect(toWireShutdownProgress({ type: 'done', exitCode: 1, ms: 2150 })).toEqual({ step: 'exit', done: true, exitCode: 1, ms: 2150 });
  });
});
