/**
 * Community cards and a world book round-trip through the UI, in Debian's Chromium against `electron/web-host.ts`
 * as a real process: import a RisuAI-style V3 CHARX (non-square icon, other assets) and a SillyTavern V2 PNG in
 * the NPCs panel, export each with the Export buttons (PNG, CHARX, V2 JSON, caught as downloads) and check every
 * card field, the V1 fields and the art; save each NPC unchanged through the editor and see nothing change. Then
 * import a World Info file in the Lorebooks panel, attach it to both NPCs, see it fire for each, and export it
 * back equal. (lorebooks.spec.ts covers editing a book and its trace in chat.)
 */
import { expect, test, type TestInfo } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  cardInPng,
  communityCharx,
  ICON_PATH,
  pixelsOf,
  sillyTavernPng,
  topLevelExtra,
  V1_FIELDS,
  withoutStudio,
  zipEntries,
  type CommunityCharx,
  type CommunityPng,
} from '../support/community-cards';
import type { StudioUi } from './support/studio-ui';
import { REPO } from './support/web-host';
import { WebStudio } from './support/web-studio';

test.describe.configure({ mode: 'serial' });

const WORLD_INFO = join(REPO, 'test', 'lore', 'fixtures', 'harbor-world-info.json');
const WORLD = 'Harbor';

const studio = new WebStudio();
let ui: StudioUi;
let charx: CommunityCharx;
let png: CommunityPng;

test.beforeAll(async ({ browser }, testInfo) => {
  testInfo.setTimeout(240_000);
  charx = await communityCharx();
  png = sillyTavernPng();
  await studio.start('card-roundtrip');
  ui = await studio.open(await browser.newPage());
});

test.afterAll(() => studio.stop());

/** Clicks an Export button and returns the downloaded file (kept with the test's output as `<prefix>-<name>`). */
async function exportWith(testId: string, testInfo: TestInfo, prefix: string): Promise<Buffer> {
  const [download] = await Promise.all([ui.page.waitForEvent('download'), ui.byTestId(testId).click()]);
  const path = testInfo.outputPath(`${prefix}-${download.suggestedFilename()}`);
  await download.saveAs(path);
  return readFileSync(path);
}

/** Imports a card file in the NPCs panel; the new NPC is selected, its art in the list and at its own size. */
async function importCard(file: string, name: string, art: { width: number; height: number }): Promise<void> {
  await ui.openTab('npcs');
  await ui.byTestId('npc-import-file').setInputFiles(file);
  await expect(ui.npcItem(name)).toHaveClass(/selected/);
  await expect(ui.byTestId('npc-summary-name')).toHaveText(name);
  await expect(ui.byTestId('npc-error')).toHaveCount(0);
  await expect(ui.npcItem(name).getByTestId('npc-avatar')).toHaveAttribute('data-has-art', 'true');
  const image = ui.byTestId('npc-art-image');
  await expect(image).toHaveAttribute('width', String(art.width));
  await expect(image).toHaveAttribute('height', String(art.height));
}

/** Opens the selected NPC in the editor and saves it untouched: no field is refused, and the card is unchanged. */
async function saveUnchanged(testInfo: TestInfo, name: string, before: Buffer): Promise<void> {
  await ui.byTestId('npc-edit').click();
  const editor = ui.byTestId('npc-editor');
  await expect(editor).toBeVisible();
  await ui.byTestId('npc-save').click();
  await expect(editor).toBeHidden();
  await expect(ui.byTestId('npc-card-error')).toHaveCount(0);
  await expect(ui.byTestId('npc-error')).toHaveCount(0);
  await expect(ui.byTestId('npc-summary-name')).toHaveText(name);
  const after = await exportWith('npc-export-json', testInfo, 'after-save');
  expect(JSON.parse(after.toString('utf8'))).toEqual(JSON.parse(before.toString('utf8')));
}

test('a V3 CHARX card: exported as PNG, CHARX and V2 JSON with every field and its art, and saved unchanged', async () => {
  const testInfo = test.info();
  const file = testInfo.outputPath('ilse-risu.charx');
  writeFileSync(file, charx.bytes);
  await importCard(file, charx.card.data.name, { width: 300, height: 420 });
  const shown = await ui.byTestId('npc-art-image').getAttribute('src');
  expect(Buffer.from(shown!.replace(/^data:image\/png;base64,/, ''), 'base64').equals(charx.icon)).toBe(true);
  await ui.snap(testInfo, 'charx-imported');
  const source = charx.card.data;

  const asPng = await exportWith('npc-export-png', testInfo, 'charx');
  expect(withoutStudio(cardInPng(asPng, 'ccv3').data)).toEqual(source);
  expect(withoutStudio(cardInPng(asPng, 'chara').data)).toEqual(source);
  expect(pixelsOf(asPng)).toEqual(pixelsOf(charx.icon));

  const zip = await zipEntries(await exportWith('npc-export-charx', testInfo, 'charx'));
  const card = JSON.parse(zip.get('card.json')!.toString('utf8')) as { spec: string; data: unknown };
  expect(card.spec).toBe('chara_card_v3');
  expect(withoutStudio(card.data)).toEqual(source);
  expect(zip.get(ICON_PATH)!.equals(charx.icon)).toBe(true);
  for (const [path, bytes] of charx.assets) expect(zip.get(path)!.equals(bytes), path).toBe(true);

  const json = await exportWith('npc-export-json', testInfo, 'charx');
  const v2 = JSON.parse(json.toString('utf8')) as Record<string, unknown>;
  expect(v2.spec).toBe('chara_card_v2');
  expect(withoutStudio(v2.data)).toEqual(source);
  for (const field of V1_FIELDS) expect(v2[field], field).toBe(source[field]);

  await saveUnchanged(testInfo, source.name, json);
});

test('a SillyTavern V2 PNG card: exported as PNG, CHARX and V2 JSON with every field and its art, and saved unchanged', async () => {
  const testInfo = test.info();
  const file = testInfo.outputPath('Captain Ilse Varga.png');
  writeFileSync(file, png.bytes);
  await importCard(file, png.card.data.name, { width: 400, height: 600 });
  await ui.snap(testInfo, 'png-imported');
  const { data: source, ...top } = png.card;

  // The V2 JSON and the PNG's chara chunk are the whole source file: the V1 fields and SillyTavern's own keys too.
  const json = await exportWith('npc-export-json', testInfo, 'png');
  const v2 = JSON.parse(json.toString('utf8')) as Record<string, unknown>;
  expect({ ...v2, data: withoutStudio(v2.data) }).toEqual(png.card);

  const asPng = await exportWith('npc-export-png', testInfo, 'png');
  const chara = cardInPng(asPng, 'chara');
  expect({ ...chara, data: withoutStudio(chara.data) }).toEqual(png.card);
  const ccv3 = cardInPng(asPng, 'ccv3');
  // A V3 card has no V1 copies beside data, and requires group_only_greetings; nothing else differs.
  expect({ ...ccv3, data: withoutStudio(ccv3.data) }).toEqual({
    ...topLevelExtra(top),
    spec: 'chara_card_v3',
    spec_version: '3.0',
    data: { ...source, group_only_greetings: [] },
  });
  expect(pixelsOf(asPng)).toEqual(pixelsOf(png.art));

  // A CHARX adds the icon asset that carries the art.
  const zip = await zipEntries(await exportWith('npc-export-charx', testInfo, 'png'));
  const card = JSON.parse(zip.get('card.json')!.toString('utf8')) as { data: unknown };
  expect(withoutStudio(card.data)).toEqual({
    ...source,
    group_only_greetings: [],
    assets: [{ type: 'icon', uri: `embeded://${ICON_PATH}`, name: 'main', ext: 'png' }],
  });
  expect(pixelsOf(zip.get(ICON_PATH)!)).toEqual(pixelsOf(png.art));

  await saveUnchanged(testInfo, source.name, json);
  await ui.snap(testInfo, 'png-saved');
});

test('a World Info file: imported, attached to both NPCs, fires for each, and exports back equal', async () => {
  const testInfo = test.info();
  const file = testInfo.outputPath(`${WORLD}.json`);
  writeFileSync(file, readFileSync(WORLD_INFO));
  await ui.openTab('lorebooks');
  await ui.byTestId('lorebook-import-file').setInputFiles(file);
  await expect(ui.byTestId('lorebook-title')).toHaveText(WORLD);
  const names = [charx.card.data.name, png.card.data.name];
  for (const name of names) await ui.page.locator(`[data-testid="lorebook-attach-npc"][data-npc="${name}"]`).check();
  await ui.byTestId('lorebook-attach-save').click();
  const item = ui.byTestId('lorebook-item').filter({ hasText: WORLD });
  for (const name of names) await expect(item).toContainText(name);
  await expect(ui.byTestId('lorebooks-error')).toHaveCount(0);

  const exported = await exportWith('lorebook-export-st', testInfo, 'world');
  expect(JSON.parse(exported.toString('utf8'))).toEqual(JSON.parse(readFileSync(WORLD_INFO, 'utf8')));

  // Each NPC's own lorebook, tried with the NPC: the attached world book fires beside the card's own entries.
  for (const name of names) {
    await ui.page.locator(`[data-testid="card-book-item"][data-npc="${name}"]`).click();
    await expect(ui.byTestId('card-book-title')).toHaveText(png.card.data.character_book.name);
    await expect(ui.page.getByText(`Inside ${name}'s card`)).toBeVisible();
    await ui.byTestId('lore-try-message').fill('Any contraband at pier 9 for the Kestrel?');
    await ui.byTestId('lore-try-run').click();
    const harbor = ui.page.locator('[data-testid="lore-try-trace-fired"][data-entry="Emberfall harbor"]');
    await expect(harbor).toHaveAttribute('data-reason', 'key');
    await expect(harbor).toContainText(WORLD);
    await expect(ui.page.locator('[data-testid="lore-try-trace-fired"][data-entry="The airship"]')).toHaveAttribute('data-reason', 'key');
  }
  await ui.snap(testInfo, 'world-attached');
});
