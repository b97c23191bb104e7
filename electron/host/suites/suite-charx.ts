import type { Suite } from '../../../shared/suite';
import { parseSuiteText } from './suite-store';

/**
 * Where an NPC's test suite travels inside its CHARX: app data under the studio's own folder, beside card.json
 * and assets/ (the CHARX spec leaves other paths to applications; other tools keep or ignore it).
 */
export const SUITE_CHARX_PATH = 'x_npc_studio/suite.json';

/** The CHARX files with the suite put in (replacing one kept from an earlier import); unchanged without a suite. */
export function withSuite(files: ReadonlyMap<string, Buffer>, suite: Suite | null): Map<string, Buffer> {
  const out = new Map(files);
  out.delete(SUITE_CHARX_PATH);
  if (suite) out.set(SUITE_CHARX_PATH, Buffer.from(JSON.stringify(suite, null, 2) + '\n', 'utf8'));
  return out;
}

/**
 * The suite a CHARX carries, given to the NPC it was imported as (its id may differ from the exporter's);
 * null when it carries none. A suite that does not validate throws SuiteValidationError naming the field.
 */
export function suiteFromCharx(files: ReadonlyMap<string, Buffer>, npcId: string): Suite | null {
  const bytes = files.get(SUITE_CHARX_PATH);
  if (!bytes) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch {
    return parseSuiteText(bytes.toString('utf8'), SUITE_CHARX_PATH); // throws with the JSON error
  }
  const rebased = raw && typeof raw === 'object' ? { ...(raw as object), npcId } : raw;
  return parseSuiteText(JSON.stringify(rebased), SUITE_CHARX_PATH);
}
