import { CHANNELS } from '../../shared/contract';
import type { Handlers } from '../../electron/host/ipc/router';
import type { SenderInfo } from '../../electron/host/ipc/router';

/** Every channel answers "not in this test" unless overridden: enough for generic router and transport tests. */
export function fakeHandlers(overrides: Partial<Handlers> = {}): Handlers {
  const all: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const channel of CHANNELS) {
    all[channel] = async () => {
      throw Object.assign(new Error(`${channel} is not part of this test`), { code: 'NotFound' });
    };
  }
  return { ...(all as unknown as Handlers), ...overrides };
}

export const trustedSender: SenderInfo = { transport: 'test', origin: 'http://127.0.0.1:1', topFrame: true, trusted: true };
