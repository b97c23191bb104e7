import { errorMessage } from '../../../shared/errors';
import type { NpcStoreOptions } from '../npc/npc-store';
import { SUITE_CHARX_PATH, suiteFromCharx, withSuite } from './suite-charx';
import type { SuiteStore } from './suite-store';

/**
 * The NPC store's CHARX hook for test suites: export writes the NPC's current suite as x_npc_studio/suite.json;
 * import saves the suite a CHARX carries as the new NPC's (an invalid one is refused with its field path, and the
 * NPC is imported without it).
 */
export function suiteCharxAppData(suites: SuiteStore): NonNullable<NpcStoreOptions['charxAppData']> {
  return {
    export: (npcId, kept) => {
      let suite = null;
      try {
        suite = suites.get(npcId);
      } catch {
        // a damaged suite file: the kept copy (if any) is left out rather than exported stale
      }
      return withSuite(kept, suite);
    },
    import: async (npcId, files) => {
      if (!files.has(SUITE_CHARX_PATH)) return [];
      try {
        const suite = suiteFromCharx(files, npcId);
        if (suite) await suites.save(suite);
        return [];
      } catch (err) {
        return [`the test suite in ${SUITE_CHARX_PATH} was not imported: ${errorMessage(err)}`];
      }
    },
  };
}
