/**
 * Lorebooks end to end in Debian's Chromium against `electron/web-host.ts` as a real process (the
 * Ollama-protocol test server standing in for Ollama): import a SillyTavern World Info file, attach it to an
 * NPC, see a field refused under the field, try a message and see the entry fire with its reason, then chat
 * and see the same entry fire in the reply's lore trace.
 */
import { expect, test } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { createNpc, NPC, type StudioUnderTest } from './support/chat-flows';
import { WebStudio } from './support/web-studio';

test.describe.configure({ mode: 'serial' });

const WORLD = {
  name: 'Varrow Gate',
  entry: 'Gate lantern',
  content: 'The lantern of the Ember Gate burns whale oil and is lit at the second bell.',
};
const worldInfo = {
  entries: {
    '0': {
      uid: 0,
      key: ['lantern'],
      keysecondary: [],
      comment: WORLD.entry,
      content: WORLD.content,
      constant: false,
      disable: false,
      order: 100,
      position: 0,
    },
    '1': { uid: 1, key: ['tower'], keysecondary: [], comment: 'Warden tower', content: 'The warden tower has no stairs.', disable: false },
  },
};

const studio = new WebStudio();
let sut: StudioUnderTest;

test.beforeAll(async ({ browser }, testInfo) => {
  testInfo.setTimeout(240_000);
  const host = await studio.start('lorebooks');
  sut = { ui: await studio.open(await browser.newPage()), ollama: studio.ollama, hostPid: host.pid };
});

test.afterAll(() => studio.stop());

test('import a World Info file, attach it, check a field, try a message, and see the entry fire in a chat reply', async () => {
  const testInfo = test.info();
  testInfo.setTimeout(120_000);
  const { ui } = sut;
  await createNpc(sut, testInfo);

  // Import: the file name names the world.
  const file = testInfo.outputPath(`${WORLD.name}.json`);
  writeFileSync(file, JSON.stringify(worldInfo, null, 2));
  await ui.openTab('lorebooks');
  await ui.byTestId('lorebook-import-file').setInputFiles(file);
  await expect(ui.byTestId('lorebook-title')).toHaveText(WORLD.name);
  await expect(ui.byTestId('lorebook-item').filter({ hasText: WORLD.name })).toContainText('2 entries · not attached');

  // Attach to the NPC.
  await ui.page.locator(`[data-testid="lorebook-attach-npc"][data-npc="${NPC.name}"]`).check();
  await ui.byTestId('lorebook-attach-save').click();
  await expect(ui.byTestId('lorebook-item').filter({ hasText: WORLD.name })).toContainText(`used by ${NPC.name}`);

  // A field over its limit is refused under that field, before anything is sent.
  const entry = ui.page.locator(`[data-testid="lorebook-entry"][data-entry="${WORLD.entry}"]`);
  await entry.locator('summary').click();
  const scanDepth = entry.getByTestId('lore-field-scanDepth');
  await scanDepth.fill('5000');
  await expect(scanDepth.locator('xpath=..').locator('.field-error')).toHaveText('scan depth may be at most 1000 messages');
  await expect(entry.locator('summary')).toContainText('1 to fix');
  await ui.byTestId('lorebook-save').click();
  await expect(ui.byTestId('lorebook-errors')).toContainText('1 field(s) to fix');
  await scanDepth.fill('');
  await expect(scanDepth.locator('xpath=..').locator('.field-error')).toHaveCount(0);

  // Try a message: the entry fires, with the keyword and where it was found.
  await ui.byTestId('lore-try-message').fill('Is the lantern lit yet?');
  await ui.byTestId('lore-try-run').click();
  const tried = ui.page.locator(`[data-testid="lore-try-trace-fired"][data-entry="${WORLD.entry}"]`);
  await expect(tried).toContainText('keyword “lantern” found in a message of the user');
  await expect(tried).toContainText(WORLD.content);
  await expect(ui.byTestId('lore-try-trace-fired')).toHaveCount(1);
  await ui.byTestId('lore-try-trace').locator('summary').click();
  await expect(ui.page.locator('[data-testid="lore-try-trace-skipped"][data-entry="Warden tower"]')).toHaveAttribute(
    'data-reason',
    'no_key_match',
  );
  await ui.snap(testInfo, 'lorebook-try');

  // Chat: the reply's lore lists the entry, and its trace says why it fired.
  await ui.openTab('npcs');
  await ui.npcItem(NPC.name).click();
  await ui.byTestId('npc-chat').click();
  await ui.send('Tell me about the lantern of the gate.');
  const reply = ui.lastReply();
  await expect(reply).toHaveAttribute('data-status', 'complete', { timeout: 20_000 });
  const lore = reply.getByTestId('chat-lore');
  await lore.locator('summary').click();
  const used = lore.getByTestId('chat-lore-entry');
  await expect(used).toContainText(WORLD.content);
  await expect(used).toContainText(WORLD.name);
  await lore.getByTestId('chat-lore-why').click();
  const fired = lore.locator(`[data-testid="chat-lore-trace-fired"][data-entry="${WORLD.entry}"]`);
  await expect(fired).toHaveAttribute('data-reason', 'key');
  await expect(fired).toContainText('keyword “lantern” found in a message of the user');
  await ui.snap(testInfo, 'chat-lore-trace');
});

test("edit every field of an NPC card's own lorebook: saved into the card, tried with the NPC", async () => {
  const testInfo = test.info();
  const { ui } = sut;
  await ui.openTab('lorebooks');
  await ui.page.locator(`[data-testid="card-book-item"][data-npc="${NPC.name}"]`).click();
  await expect(ui.byTestId('card-book-title')).toHaveText(`${NPC.name}'s own lorebook`);
  await ui.byTestId('lorebook-entry-add').click();
  const entry = ui.byTestId('lorebook-entry').last();
  await entry.getByTestId('lore-field-comment').fill('Second bell');
  await entry.getByTestId('lore-field-keys').fill('bell');
  await entry.getByTestId('lore-field-content').fill('At the second bell the gate opens.');
  await entry.getByTestId('lore-field-sticky').fill('2');
  await entry.getByTestId('lore-field-position').selectOption('at_depth');
  await ui.byTestId('lorebook-save').click();
  await expect(ui.byTestId('lorebook-save-error')).toHaveCount(0);

  // Saved into the card: the NPC editor's lore list has it, and a reload of the book keeps every field.
  await ui.openTab('npcs');
  await ui.npcItem(NPC.name).click();
  await ui.byTestId('npc-edit').click();
  await expect(ui.byTestId('npc-lore-keys')).toHaveValue('bell');
  await ui.byTestId('npc-cancel').click();
  await ui.openTab('lorebooks');
  await ui.page.locator(`[data-testid="card-book-item"][data-npc="${NPC.name}"]`).click();
  const saved = ui.page.locator('[data-testid="lorebook-entry"][data-entry="Second bell"]');
  await saved.locator('summary').click();
  await expect(saved.getByTestId('lore-field-sticky')).toHaveValue('2');
  await expect(saved.getByTestId('lore-field-position')).toHaveValue('at_depth');

  // "Try" includes the NPC's attached world book too.
  await ui.byTestId('lore-try-message').fill('Ring the bell and light the lantern.');
  await ui.byTestId('lore-try-run').click();
  await expect(ui.page.locator('[data-testid="lore-try-trace-fired"][data-entry="Second bell"]')).toContainText(
    'in the chat, 4 message(s) from the end',
  );
  await expect(ui.page.locator(`[data-testid="lore-try-trace-fired"][data-entry="${WORLD.entry}"]`)).toContainText(WORLD.name);
  await ui.snap(testInfo, 'card-book');
});
