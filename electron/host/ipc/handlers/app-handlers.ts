import type { UsageRow } from '../../../../shared/usage';
import { localDay } from '../../usage/usage-record';
import { HostError } from '../host-error';
import type { Handlers } from '../router';
import { dataProblems } from './data-problems';
import type { StudioServices } from './services';

type AppChannels =
  | 'providers.list'
  | 'providers.health'
  | 'usage.summary'
  | 'logs.tail'
  | 'settings.get'
  | 'settings.set'
  | 'app.quit'
  | 'app.lastShutdownReport'
  | 'app.info'
  | 'app.openExternal';

export function appHandlers(s: StudioServices): Pick<Handlers, AppChannels> {
  return {
    'providers.list': async () => s.providers(),
    'providers.health': async () => s.health(),
    'usage.summary': async () => {
      const figures = s.usage.figures();
      const rows: UsageRow[] = Object.entries(figures.today).map(([model, u]) => ({
        providerId: u.processor === 'local' ? 'local-processor' : 'hosted-processor',
        model,
        calls: u.calls,
        promptTokens: u.inputTokens,
        replyTokens: u.outputTokens,
        costUsd: u.costUsd,
      }));
      const totals = rows.reduce(
        (t, r) => ({
          calls: t.calls + r.calls,
          promptTokens: t.promptTokens + r.promptTokens,
          replyTokens: t.replyTokens + r.replyTokens,
          costUsd: t.costUsd + r.costUsd,
        }),
        { calls: 0, promptTokens: 0, replyTokens: 0, costUsd: 0 },
      );
      return { day: localDay(new Date()), rows, totals };
    },
    'logs.tail': async ({ limit, level }) => s.logs.ring.tail(limit, level),
    'settings.get': async () => s.settings.get(),
    'settings.set': async (input) => s.settings.set(input),
    'app.quit': async () => {
      // Answer first: the quit runs the coordinator, which stops accepting calls.
      setImmediate(() => s.requestQuit('quit button'));
      return { accepted: true };
    },
    'app.lastShutdownReport': async () => s.lastReport,
    'app.info': async () => ({ ...s.info, problems: dataProblems(s) }),
    'app.openExternal': async ({ url }) => {
      if (!s.openExternal)
        throw HostError.providerUnavailable(
          'This studio runs in a browser, which opens links itself; the host does not open them.',
          'Open the link from the chat: the browser opens it in a new tab.',
        );
      await s.openExternal(url);
      return { opened: true };
    },
  };
}
