/* SuiteStore: one atomic JSON per NPC, a damaged file reported with its field and kept; suites travel in the CHARX. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_NPC_ID, demoSuite } from '../../electron/host/demo/demo-npc';
import { memoryLogger } from '../../electron/host/log/logger';
import { readCharx, writeCharx } from '../../electron/host/npc/charx';
import { NpcStore } from '../../electron/host/npc/npc-store';
import { SUITE_CHARX_PATH } from '../../electron/host/suites/suite-charx';
import { suiteCharxAppData } from '../../electron/host/suites/suite-app-data';
import { SuiteValidationError } from '../../electron/host/suites/suite-errors';
import { SuiteStore } from '../../electron/host/suites/suite-store';
import { suiteRig, type SuiteRig } from './rig';
import { tempDir } from '../support/temp-dir';

let rig: SuiteRig;
beforeEach(async () => (rig = await suiteRig()));
afterEach(() => rig.close());

const logger = memoryLogger('warn').logger;

async function reopen(dir: string): Promise<SuiteStore> {
  const store = new SuiteStore({ dir, logger });
  await store.initialize();
  return store;
}

describe('SuiteStore', () => {
  it('saves one JSON file per NPC and reads it back after a reopen', async () => {
    const file = join(rig.suites.dir, `${DEMO_NPC_ID}.json`);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ version: 1, npcId: DEMO_NPC_ID });
    const again = await reopen(rig.suites.dir);
    expect(again.get(DEMO_NPC_ID)).toEqual(rig.suites.get(DEMO_NPC_ID));
    expect(again.list()).toEqual([{ npcId: DEMO_NPC_ID, cases: demoSuite().cases.length }]);
  });

  it('refuses an invalid suite with the field path and writes nothing', async () => {
    const bad = {
      ...demoSuite(),
      npcId: 'other',
      cases: [{ name: 'c', turns: [{ player: 'hi', expect: [{ kind: 'max_tokens', max: -1 }] }] }],
    };
    await expect(rig.suites.save(bad)).rejects.toMatchObject({
      name: 'SuiteValidationError',
      fieldPath: 'cases[0].turns[0].expect[0].max',
    });
    expect(rig.suites.get('other')).toBeNull();
  });

  it('reports a damaged file with its field, keeps it byte for byte and refuses to overwrite it', async () => {
    const file = join(rig.suites.dir, 'broken.json');
    const text = JSON.stringify({
      version: 1,
      npcId: 'broken',
      cases: [{ name: 'c', turns: [{ player: 'hi', expect: [{ kind: 'mentions', phrases: [] }] }] }],
    });
    await writeFile(file, text);
    const store = await reopen(rig.suites.dir);
    expect(store.problems()).toEqual([
      expect.objectContaining({ file, npcId: 'broken', fieldPath: 'cases[0].turns[0].expect[0].phrases' }),
    ]);
    expect(() => store.get('broken')).toThrow(SuiteValidationError);
    await expect(store.save({ version: 1, npcId: 'broken', cases: [] })).rejects.toThrow(/kept; fix or move it by hand/);
    expect(await readFile(file, 'utf8')).toBe(text);
    expect((await store.healthCheck()).status).toBe('degraded');
    await store.cleanup();
  });
});

describe('suites in CHARX', () => {
  it('exports the suite as x_npc_studio/suite.json and imports it for the new NPC', async () => {
    const exported = await rig.npcs.exportCard(DEMO_NPC_ID, 'charx');
    const files = await readCharx(exported.bytes);
    expect(JSON.parse(files.get(SUITE_CHARX_PATH)!.toString('utf8'))).toEqual(rig.suites.get(DEMO_NPC_ID));

    const other = await tempDir('npc-suite-import-');
    const suites = await reopen(join(other.path, 'suites'));
    const npcs = new NpcStore({ dir: join(other.path, 'npcs'), logger, charxAppData: suiteCharxAppData(suites) });
    await npcs.initialize();
    const imported = await npcs.importCard(exported.bytes);
    expect(imported.warnings).toEqual([]);
    const suite = suites.get(imported.npc.id)!;
    expect(suite.npcId).toBe(imported.npc.id);
    expect(suite.cases).toEqual(rig.suites.get(DEMO_NPC_ID)!.cases);

    // The suite edited after import is what the next export carries, not the copy kept from the CHARX.
    await suites.save({ ...suite, cases: suite.cases.slice(0, 2) });
    const again = await readCharx((await npcs.exportCard(imported.npc.id, 'charx')).bytes);
    expect(JSON.parse(again.get(SUITE_CHARX_PATH)!.toString('utf8')).cases).toHaveLength(2);
    await npcs.cleanup();
    await suites.cleanup();
    await other.remove();
  });

  it('imports the NPC without an invalid suite, with a warning naming the field', async () => {
    const files = await readCharx((await rig.npcs.exportCard(DEMO_NPC_ID, 'charx')).bytes);
    files.set(SUITE_CHARX_PATH, Buffer.from(JSON.stringify({ version: 1, npcId: 'x', cases: [{ name: '', turns: [{ player: 'a' }] }] })));
    const bytes = await writeCharx(files);
    const other = await tempDir('npc-suite-bad-');
    const suites = await reopen(join(other.path, 'suites'));
    const npcs = new NpcStore({ dir: join(other.path, 'npcs'), logger, charxAppData: suiteCharxAppData(suites) });
    await npcs.initialize();
    const imported = await npcs.importCard(bytes);
    expect(imported.warnings).toEqual([expect.stringMatching(/x_npc_studio\/suite\.json.*cases\[0\]\.name: must not be empty/)]);
    expect(suites.get(imported.npc.id)).toBeNull();
    await npcs.cleanup();
    await suites.cleanup();
    await other.remove();
  });
});
