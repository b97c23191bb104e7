/**
 * The chat workspace (issue K) end to end in Debian's Chromium against `electron/web-host.ts` as a real process,
 * the Ollama-protocol test server standing in for Ollama: the three-column workspace and its themes, rendered
 * replies and confirmed links, the keyboard, conversations (new, rename, duplicate, delete, branch, SillyTavern
 * import), personas, the prompt viewer, continue / impersonate / edit and resend / author's note, and a long
 * imported conversation read page by page into a virtualized list. Screenshots (light and dark) go to test-results/.
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeCardPng } from './support/card-file';
import type { StudioUi } from './support/studio-ui';
import { REPO } from './support/web-host';
import { seedDemoNpc, WebStudio } from './support/web-studio';

test.describe.configure({ mode: 'serial' });

const studio = new WebStudio();
const ollama = studio.ollama;
let context: BrowserContext | null = null;
let page: Page;
let ui: StudioUi;

/** Screenshots in both themes, switched through the system's preference (the studio follows it; dialogs may be open). */
async function snapBoth(name: string): Promise<void> {
  const testInfo = test.info();
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', scheme);
    await ui.snap(testInfo, `${name}-${scheme}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

async function openMira(): Promise<void> {
  await ui.openTab('chat');
  await page.getByTestId('workspace-npc').filter({ hasText: 'Mira' }).click();
  await expect(ui.turns().first()).toContainText('State your business in my harbor.');
}

/** A SillyTavern chat file: the metadata line, then `count` messages alternating user / character. */
function sillyTavernChat(count: number): string {
  const lines = [JSON.stringify({ user_name: 'Ada', character_name: 'Mira', create_date: '2025-01-01@10h00m00s', chat_metadata: {} })];
  for (let i = 0; i < count; i++) {
    const user = i % 2 === 0;
    lines.push(
      JSON.stringify({
        name: user ? 'Ada' : 'Mira',
        is_user: user,
        is_system: false,
        send_date: '2025-01-01@10h00m00s',
        mes: user ? `Question number ${i}?` : `*checks the ledger* Answer number ${i}.`,
        ...(user ? {} : { swipes: [`*checks the ledger* Answer number ${i}.`, `Another answer ${i}.`], swipe_id: 0 }),
        extra: { bias: 'x' },
      }),
    );
  }
  return lines.join('\n') + '\n';
}

test.beforeAll(async ({ browser }, testInfo) => {
  testInfo.setTimeout(240_000);
  await studio.start('workspace', (dataDir) => seedDemoNpc(dataDir));
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  page = await context.newPage();
  ui = await studio.open(page, context);
});

test.afterAll(() => studio.stop());

test('workspace: NPCs with avatars, the conversation and the inspector side by side; themes follow the system', async () => {
  // The chat workspace is what opens.
  await expect(ui.byTestId('panel-chat')).toBeVisible();
  const npcColumn = ui.byTestId('workspace-npcs');
  const avatar = npcColumn.getByTestId('npc-avatar');
  await expect(avatar).toHaveCount(1);
  await expect(avatar).toHaveAttribute('data-has-art', 'false');
  // Card art set in NPCs becomes the avatar at once.
  await ui.openTab('npcs');
  await ui.npcItem('Mira').click();
  await ui.byTestId('npc-art-file').setInputFiles(writeCardPng(test.info().outputPath('mira-art.png')));
  await expect(ui.byTestId('npc-art-image')).toBeVisible();
  await ui.openTab('chat');
  await expect(avatar).toHaveAttribute('data-has-art', 'true');
  await expect(avatar.locator('img')).toHaveAttribute('alt', "Mira's card art");
  await openMira();
  await expect(ui.byTestId('inspector')).toBeVisible();
  await expect(ui.byTestId('inspector-model-name')).toHaveText('llama3.2');
  await ui.send('Tell me about the lighthouse.');
  await expect(ui.lastReply()).toHaveAttribute('data-status', 'complete', { timeout: 20_000 });
  // The inspector follows the newest reply: the lore it used and why, and its prompt.
  await expect(ui.byTestId('inspector-turn')).toHaveAttribute('data-turn-id', (await ui.lastReply().getAttribute('data-turn-id'))!);
  await expect(ui.byTestId('inspector-lore').getByTestId('chat-lore-entry')).toContainText('Old Wick has never gone dark');

  // Labelled for screen readers and reachable from the keyboard: the rail is a navigation landmark of buttons.
  const rail = page.getByRole('navigation', { name: 'Studio sections' });
  for (const name of ['Chat', 'NPCs', 'Lorebooks', 'Knowledge', 'Tests', 'Resources', 'Logs', 'Settings']) {
    await expect(rail.getByRole('button', { name: new RegExp(`^${name}`) })).toBeVisible();
  }
  await rail.getByRole('button', { name: /^Lorebooks/ }).focus();
  await page.keyboard.press('Enter');
  await expect(ui.byTestId('panel-lorebooks')).toBeVisible();
  await expect(rail.getByRole('button', { name: /^Lorebooks/ })).toHaveAttribute('aria-current', 'page');
  await ui.snap(test.info(), 'lorebooks-light');
  for (const tab of ['tests', 'resources', 'logs', 'settings', 'knowledge'] as const) await ui.openTab(tab);
  await ui.openTab('chat');
  await expect(page.getByRole('log', { name: 'Messages' })).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Message to Mira' })).toBeVisible();

  // "System" follows prefers-color-scheme; a forced theme wins over it.
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'light');
  await snapBoth('workspace');
  await page.getByTestId('theme-switch').getByText('Dark', { exact: true }).click();
  await page.emulateMedia({ colorScheme: 'light' });
  await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'dark');
  await ui.openTab('resources');
  await ui.snap(test.info(), 'resources-dark');
  await ui.openTab('chat');
  await page.getByTestId('theme-switch').getByText('System', { exact: true }).click();
});

test('rendering: markdown, *actions*, "speech" and code; no raw HTML; links open only after a confirm', async () => {
  const greeting = ui.turns().first();
  await greeting.getByTestId('chat-edit').click();
  const markdown = [
    '*raises a lantern* "Who goes there?" she asks.',
    '',
    'See [the harbor map](https://example.com/map) and `knot` codes:',
    '',
    '```',
    'const tide = "high";',
    '```',
    '',
    '<img src="x" onerror="window.__pwned = true"> <b>bold?</b>',
  ].join('\n');
  await greeting.getByTestId('chat-edit-text').fill(markdown);
  await greeting.getByTestId('chat-edit-save').click();
  const text = greeting.getByTestId('chat-turn-text');
  await expect(text.locator('em.message-action')).toHaveText('raises a lantern');
  await expect(text.locator('.message-speech').first()).toHaveText('"Who goes there?"');
  await expect(text.getByTestId('message-code-block')).toContainText('const tide = "high";');
  // Quotes inside code are code, not speech.
  await expect(text.getByTestId('message-code-block').locator('.message-speech')).toHaveCount(0);
  await expect(text.locator('img, b')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned)).toBeUndefined();
  await snapBoth('rendering');
  // The README's picture of the studio: a rendered reply, its lore and prompt in the inspector.
  mkdirSync(join(REPO, 'docs'), { recursive: true });
  const shot = test.info().outputPath('readme.png');
  await page.screenshot({ path: shot, animations: 'disabled' });
  copyFileSync(shot, join(REPO, 'docs', 'screenshot.png'));

  // A link asks first; Cancel opens nothing, Open opens a new tab outside the studio.
  let opened = 0;
  context!.on('page', () => opened++);
  // No internet here: the "outside" page is answered by the test.
  await context!.route('https://example.com/**', (route) => route.fulfill({ contentType: 'text/html', body: '<title>map</title>' }));
  await text.getByTestId('message-link').click();
  await expect(page.getByTestId('link-confirm-url')).toHaveText('https://example.com/map');
  await ui.snap(test.info(), 'link-confirm');
  await page.getByTestId('link-cancel').click();
  await expect(page.getByTestId('link-confirm-url')).toBeHidden();
  expect(opened).toBe(0);
  await text.getByTestId('message-link').click();
  const popup = context!.waitForEvent('page');
  await page.getByTestId('link-open').click();
  const tab = await popup;
  expect(tab.url()).toContain('example.com/map');
  // noopener: the new tab cannot reach back into the studio.
  expect(await tab.evaluate(() => window.opener)).toBeNull();
  await tab.close();
});

test('keyboard: Enter sends, Shift+Enter is a new line, Up edits the last message, Esc stops a reply', async () => {
  const input = ui.byTestId('chat-input');
  const before = await ui.turns().count();
  await input.click();
  await page.keyboard.type('First line');
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.type('second line');
  await expect(input).toHaveValue('First line\nsecond line');
  await page.keyboard.press('Enter');
  await expect(input).toHaveValue('');
  await expect(ui.lastReply()).toHaveAttribute('data-status', 'complete', { timeout: 20_000 });
  expect(await ui.turns().count()).toBe(before + 2);

  // Up in the empty composer edits the last user message.
  await input.focus();
  await page.keyboard.press('ArrowUp');
  const editor = ui.byTestId('chat-edit-text');
  await expect(editor).toHaveValue('First line\nsecond line');
  await expect(editor).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(editor).toBeHidden();

  // Esc stops a streaming reply.
  ollama.set({ tokenDelayMs: 200, replyTokens: 200 });
  await input.fill('Tell me a long story.');
  await page.keyboard.press('Enter');
  await expect(ui.lastReply()).toHaveAttribute('data-status', 'streaming');
  await expect(ui.lastReply().getByTestId('chat-turn-text')).toContainText('I am Mira', { timeout: 10_000 });
  await ui.snap(test.info(), 'streaming');
  await page.keyboard.press('Escape');
  await expect(ui.lastReply()).toHaveAttribute('data-status', 'interrupted', { timeout: 10_000 });
  ollama.reset();
});

test('conversations: new, rename, duplicate, delete, branch from a message, import a SillyTavern chat with its report', async () => {
  const items = ui.byTestId('conversation-item');
  await expect(items).toHaveCount(1);
  await expect(items.first().getByTestId('conversation-last')).not.toHaveText('No messages yet');

  // Branch from the first reply: a new conversation with the history up to it.
  const firstReply = page.locator('[data-testid="chat-turn"][data-role="assistant"]').nth(1);
  const firstReplyText = (await firstReply.getByTestId('chat-turn-text').textContent()) ?? '';
  await firstReply.getByTestId('chat-branch').click();
  await expect(items).toHaveCount(2);
  await expect(ui.turns()).toHaveCount(3);
  await expect(ui.turns().last()).toContainText(firstReplyText.slice(0, 30));

  await ui.byTestId('conversation-new').click();
  await expect(items).toHaveCount(3);
  const fresh = page.locator('[data-testid="conversation-item"][aria-current="true"]');
  const freshId = await fresh.getAttribute('data-conversation-id');
  await ui.send('Hello from a new conversation.');
  await expect(ui.lastReply()).toHaveAttribute('data-status', 'complete', { timeout: 20_000 });
  await expect(fresh.getByTestId('conversation-last')).toContainText('Hello from a new conversation');

  const row = page.locator(`[data-conversation-id="${freshId}"]`).locator('..');
  await row.getByTestId('conversation-menu').click();
  await page.getByTestId('conversation-rename').click();
  await page.getByTestId('conversation-title-input').fill('Night shift');
  await page.getByTestId('conversation-rename-save').click();
  await expect(page.locator(`[data-conversation-id="${freshId}"]`).getByTestId('conversation-title')).toHaveText('Night shift');
  await expect(ui.byTestId('chat-conversation-title')).toHaveText('Night shift');

  await row.getByTestId('conversation-menu').click();
  await page.getByTestId('conversation-duplicate').click();
  await expect(items).toHaveCount(4);
  await expect(ui.turns().last()).toContainText('Hello from a new conversation');
  const copyId = await fresh.getAttribute('data-conversation-id');
  expect(copyId).not.toBe(freshId);
  await page.locator(`[data-conversation-id="${copyId}"]`).locator('..').getByTestId('conversation-menu').click();
  await page.getByTestId('conversation-delete').click();
  await page.getByTestId('conversation-delete-yes').click();
  await expect(items).toHaveCount(3);

  const file = test.info().outputPath('mira-chat.jsonl');
  writeFileSync(file, sillyTavernChat(6));
  await ui.byTestId('conversation-import-file').setInputFiles(file);
  const report = page.getByTestId('conversation-import-report');
  await expect(report.getByTestId('import-messages')).toHaveText('6');
  await ui.snap(test.info(), 'import-report');
  await page.keyboard.press('Escape');
  await expect(items).toHaveCount(4);
  await expect(ui.turns()).toHaveCount(6);
  await expect(ui.turns().nth(1).locator('em.message-action')).toHaveText('checks the ledger');
  await snapBoth('conversations');
});

test('a reply streaming in one conversation stays in it', async () => {
  ollama.set({ tokenDelayMs: 150, replyTokens: 200 });
  const items = ui.byTestId('conversation-item');
  await items.filter({ hasText: 'Night shift' }).click();
  await expect(ui.byTestId('chat-conversation-title')).toHaveText('Night shift');
  await ui.send('Tell me a long story.');
  await expect(ui.lastReply()).toHaveAttribute('data-status', 'streaming');
  await expect(ui.lastReply().getByTestId('chat-turn-text')).toContainText('I am Mira', { timeout: 10_000 });
  // Another conversation of the same NPC: its tokens keep coming, none shows here.
  await items.filter({ hasText: 'mira-chat' }).click();
  await expect(ui.turns().last()).toContainText('Answer number 5.');
  await page.waitForTimeout(1_000);
  await expect(page.locator('[data-testid="chat-turn"][data-status="streaming"]')).toHaveCount(0);
  await expect(ui.byTestId('chat-send')).toBeVisible();
  // Back: the reply is still being written there, and can be stopped.
  await items.filter({ hasText: 'Night shift' }).click();
  await expect(ui.lastReply()).toHaveAttribute('data-status', 'streaming');
  await ui.byTestId('chat-stop').click();
  await expect(ui.lastReply()).toHaveAttribute('data-status', 'interrupted');
  ollama.reset();
});

test('personas: manage, a default, one per conversation; {{user}} is the persona in the prompt', async () => {
  await ui.byTestId('personas-manage').click();
  await page.getByTestId('persona-new').click();
  await page.getByTestId('persona-name').fill('Captain Ada');
  await page.getByTestId('persona-description').fill('A smuggler with a soft spot for lighthouses.');
  await page.getByTestId('persona-save').click();
  await page.getByTestId('persona-new').click();
  await page.getByTestId('persona-name').fill('Inspector Bly');
  await page.getByTestId('persona-description').fill('{{user}} audits harbor ledgers.');
  await page.getByTestId('persona-save').click();
  await expect(page.getByTestId('persona-item')).toHaveCount(2);
  await page.getByTestId('persona-item').filter({ hasText: 'Captain Ada' }).getByTestId('persona-make-default').click();
  await expect(page.getByTestId('persona-item').filter({ hasText: 'Captain Ada' })).toContainText('default');
  await ui.snap(test.info(), 'personas');
  await page.keyboard.press('Escape');
  await expect(ui.byTestId('chat-persona')).toHaveValue('Default (Captain Ada)');
  await ui.byTestId('chat-persona').click();
  await page.getByRole('option', { name: 'Inspector Bly' }).click();
  await expect(ui.byTestId('chat-persona')).toHaveValue('Inspector Bly');
  await ui.send('Who am I?');
  await expect(ui.lastReply()).toHaveAttribute('data-status', 'complete', { timeout: 20_000 });
  await ui.byTestId('prompt-view').click();
  // {{user}} is the conversation's persona, in its description and in the card's scenario.
  await expect(page.locator('[data-testid="prompt-viewer-piece"][data-source="persona"]')).toContainText(
    'Inspector Bly audits harbor ledgers.',
  );
  await expect(page.locator('[data-testid="prompt-viewer-piece"][data-source="card"]').first()).toContainText(
    'Inspector Bly steps off a boat',
  );
  await ui.snap(test.info(), 'prompt-viewer-persona');
  await page.keyboard.press('Escape');
});

test('prompt viewer: the exact messages with their sources and tokens; copy as text and the request body', async () => {
  await ui.send('Tell me about the lighthouse again.');
  await expect(ui.lastReply()).toHaveAttribute('data-status', 'complete', { timeout: 20_000 });
  await ui.byTestId('prompt-view').click();
  const viewer = page.getByRole('dialog', { name: 'The prompt as it was sent' });
  await expect(viewer.getByTestId('prompt-viewer-message').first()).toHaveAttribute('data-role', 'system');
  await expect(viewer.locator('[data-testid="prompt-viewer-piece"][data-source="lorebook"]').first()).toContainText('Old Wick');
  await expect(viewer.locator('[data-testid="prompt-viewer-piece"][data-source="user"]').last()).toContainText(
    'Tell me about the lighthouse again.',
  );
  await expect(viewer.locator('[data-testid="prompt-viewer-source"][data-source="lorebook"]')).toBeVisible();
  await viewer.getByTestId('prompt-copy-text').click();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toContain('### system');
  expect(copied).toContain('Old Wick has never gone dark');
  await viewer.getByTestId('prompt-copy-body').click();
  const body = JSON.parse(await page.evaluate(() => navigator.clipboard.readText())) as { messages?: { content: string }[] };
  expect(JSON.stringify(body)).toContain('Tell me about the lighthouse again.');
  await snapBoth('prompt-viewer');
  await page.keyboard.press('Escape');
});

test("continue, impersonate, edit and resend, author's note", async () => {
  // Continue extends the last reply.
  const reply = ui.lastReply();
  const before = (await reply.getByTestId('chat-turn-text').textContent()) ?? '';
  await ui.byTestId('chat-continue').click();
  await expect(reply).toHaveAttribute('data-status', 'complete', { timeout: 20_000 });
  await expect
    .poll(async () => ((await reply.getByTestId('chat-turn-text').textContent()) ?? '').length, { timeout: 20_000 })
    .toBeGreaterThan(before.length);

  // Impersonate drafts the player's line into the composer; nothing is sent.
  const count = await ui.turns().count();
  await ui.byTestId('chat-impersonate').click();
  await expect(ui.byTestId('chat-input')).not.toHaveValue('', { timeout: 20_000 });
  expect(await ui.turns().count()).toBe(count);
  await ui.byTestId('chat-input').fill('');

  // A slow impersonation turns its button into Stop; stopping it is quiet (no error) and sends nothing.
  ollama.set({ tokenDelayMs: 200, replyTokens: 200 });
  await ui.byTestId('chat-impersonate').click();
  await ui.byTestId('chat-impersonate-stop').click();
  await expect(ui.byTestId('chat-impersonate')).toBeEnabled({ timeout: 10_000 });
  await expect(ui.byTestId('chat-error')).toBeHidden();
  expect(await ui.turns().count()).toBe(count);
  await ui.byTestId('chat-input').fill('');
  ollama.reset();

  // Edit and resend: the last user message gets new text and a new answer.
  const lastUser = page.locator('[data-testid="chat-turn"][data-role="user"]').last();
  await lastUser.getByTestId('chat-edit').click();
  await lastUser.getByTestId('chat-edit-text').fill('What does Old Wick guard?');
  await lastUser.getByTestId('chat-edit-resend').click();
  await expect(ui.lastReply()).toHaveAttribute('data-status', 'complete', { timeout: 20_000 });
  await expect(ui.lastReply().getByTestId('chat-turn-text')).toContainText('What does Old Wick guard?');
  expect(await ui.turns().count()).toBe(count);

  // The author's note goes into the next prompt.
  await ui.byTestId('authors-note').click();
  await page.getByTestId('authors-note-text').fill('Lore: Mira is tired tonight.');
  await page.getByTestId('authors-note-depth').fill('1');
  await ui.snap(test.info(), 'authors-note');
  await page.getByTestId('authors-note-save').click();
  await ui.send('How are you?');
  await expect(ui.lastReply()).toHaveAttribute('data-status', 'complete', { timeout: 20_000 });
  await expect(ui.lastReply().getByTestId('chat-turn-text')).toContainText('Mira is tired tonight');
  await ui.byTestId('prompt-view').click();
  await expect(page.locator('[data-testid="prompt-viewer-piece"][data-source="authors-note"]')).toContainText('Mira is tired tonight');
  await page.keyboard.press('Escape');
});

test('a long conversation is read page by page into a virtualized list', async () => {
  test.info().setTimeout(120_000);
  const file = test.info().outputPath('long-chat.jsonl');
  writeFileSync(file, sillyTavernChat(2000));
  await ui.byTestId('conversation-import-file').setInputFiles(file);
  await expect(page.getByTestId('conversation-import-report').getByTestId('import-messages')).toHaveText('2000', { timeout: 30_000 });
  await page.keyboard.press('Escape');
  // The newest messages show; only the rows in view (and a few around) are in the page.
  await expect(ui.turns().last()).toContainText('Answer number 1999.');
  const rendered = await ui.turns().count();
  expect(rendered).toBeGreaterThan(2);
  expect(rendered).toBeLessThan(40);
  const loaded = Number(await ui.byTestId('chat-transcript').getAttribute('data-turns'));
  expect(loaded).toBeLessThan(2000);
  // Scrolling up reads older pages.
  for (let i = 0; i < 6; i++) await ui.byTestId('chat-transcript').evaluate((el) => el.scrollTo({ top: 0 }));
  await expect
    .poll(async () => Number(await ui.byTestId('chat-transcript').getAttribute('data-turns')), { timeout: 10_000 })
    .toBeGreaterThan(loaded);
  expect(await ui.turns().count()).toBeLessThan(40);
  await ui.snap(test.info(), 'long-conversation');
});
