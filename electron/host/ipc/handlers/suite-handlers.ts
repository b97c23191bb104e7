import { caseFromChat } from '../../suites/case-from-chat';
import type { Handlers } from '../router';
import type { StudioServices } from './services';

type SuiteChannels =
  | 'suite.list'
  | 'suite.get'
  | 'suite.save'
  | 'suite.addFromChat'
  | 'suite.run'
  | 'suite.stop'
  | 'suite.runs'
  | 'suite.runGet'
  | 'suite.diff';

/** NPC behaviour tests: suites, runs (progress on `suite.progress`), history and the diff against the run before. */
export function suiteHandlers(
  s: Pick<StudioServices, 'npcs' | 'suites' | 'tests'> & { chat: Pick<StudioServices['chat'], 'conversation'> },
): Pick<Handlers, SuiteChannels> {
  return {
    'suite.list': async () => s.suites.list(),
    'suite.get': async ({ npcId }) => {
      s.npcs.get(npcId);
      return s.suites.get(npcId);
    },
    'suite.save': async (suite) => {
      s.npcs.get(suite.npcId);
      return s.suites.save(suite);
    },
    /** "Turn this exchange into a test": the reply and the message before it become a new case of the NPC's suite. */
    'suite.addFromChat': async ({ npcId, turnId }) => {
      s.npcs.get(npcId);
      const view = await s.chat.conversation(npcId);
      const suite = s.suites.get(npcId) ?? { version: 1 as const, npcId, cases: [] };
      const added = caseFromChat(
        view.messages,
        turnId,
        suite.cases.map((c) => c.name),
      );
      return { suite: await s.suites.save({ ...suite, cases: [...suite.cases, added] }), caseName: added.name };
    },
    'suite.run': async (request) => {
      const { runId, planned } = await s.tests.start(request);
      return { runId, planned };
    },
    'suite.stop': async ({ runId }) => ({ stopped: s.tests.stop(runId) }),
    'suite.runs': async ({ npcId }) => s.suites.runs.list(npcId),
    'suite.runGet': async ({ npcId, runId }) => s.suites.runs.get(npcId, runId),
    'suite.diff': async ({ npcId, runId }) => s.tests.diff(npcId, runId),
  };
}
