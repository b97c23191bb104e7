/**
 * Code splitting end to end in Debian's Chromium against `electron/web-host.ts`: the first screen (Chat) loads the
 * entry script only; each other panel's chunk arrives when its tab is pointed at or opened, allowed by the page's CSP
 * and served as a script; a slow chunk shows the panel's placeholder, a failed one a plain error with "Try again".
 */
import { expect, test, type Page } from '@playwright/test';
import type { StudioUi } from './support/studio-ui';
import { WebStudio } from './support/web-studio';

test.describe.configure({ mode: 'serial' });

const studio = new WebStudio();
let ui: StudioUi;
let page: Page;
const scripts: string[] = [];
const problems: string[] = [];

const fileName = (url: string) => new URL(url).pathname.split('/').pop() ?? url;

test.beforeAll(async ({ browser }, testInfo) => {
  testInfo.setTimeout(240_000);
  await studio.start('lazy-panels');
  page = await browser.newPage();
  page.on('request', (request) => {
    if (request.resourceType() === 'script') scripts.push(fileName(request.url()));
  });
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (err) => problems.push(err.message));
  ui = await studio.open(page);
});

test.afterAll(() => studio.stop());

test('the first screen loads the entry script only; Resources brings its chunk (with uPlot) when opened', async () => {
  await expect(ui.byTestId('workspace')).toBeVisible();
  expect(scripts).toHaveLength(1);
  expect(scripts[0]).toMatch(/^index-[\w-]+\.js$/);
  await expect(ui.byTestId('panel-resources')).toHaveCount(0);

  const [chunk] = await Promise.all([page.waitForResponse(/\/assets\/ResourcesPanel-[\w-]+\.js$/), ui.openTab('resources')]);
  expect(chunk.status()).toBe(200);
  expect(chunk.headers()['content-type']).toBe('text/javascript; charset=utf-8');
  expect(chunk.headers()['content-security-policy']).toContain("script-src 'self'");
  expect(chunk.headers()['cache-control']).toBe('max-age=31536000, immutable');
  await expect(page.locator('.time-chart .uplot').first()).toBeVisible({ timeout: 15_000 });
  expect(problems).toEqual([]);
});

test('pointing at a tab fetches its panel ahead of the click; a panel, once shown, stays mounted', async () => {
  const [chunk] = await Promise.all([page.waitForResponse(/\/assets\/LogsPanel-[\w-]+\.js$/), ui.byTestId('tab-logs').hover()]);
  expect(chunk.status()).toBe(200);
  await ui.openTab('logs');
  await ui.openTab('chat');
  await expect(ui.byTestId('panel-logs')).toBeHidden();
  await expect(ui.byTestId('panel-logs')).toHaveCount(1);
  expect(problems).toEqual([]);
});

test('a slow chunk shows the placeholder; a failed one says what to do, and "Try again" loads it', async () => {
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/assets\/SettingsPanel-[\w-]+\.js$/, async (route) => {
    await released;
    await route.continue();
  });
  await ui.byTestId('tab-settings').click();
  await expect(ui.byTestId('panel-loading')).toBeVisible();
  await expect(ui.byTestId('panel-loading')).toHaveAttribute('aria-label', 'Loading Settings');
  release();
  await expect(ui.byTestId('panel-settings')).toBeVisible();
  await expect(ui.byTestId('panel-loading')).toHaveCount(0);

  await page.route(/\/assets\/KnowledgePanel-[\w-]+\.js$/, (route) => route.abort('connectionrefused'));
  await ui.byTestId('tab-knowledge').click();
  const crashed = ui.byTestId('panel-crashed');
  await expect(crashed).toBeVisible();
  await expect(crashed).toContainText('The Knowledge panel could not be loaded');
  await expect(crashed).toContainText('Reload the window');
  await page.unroute(/\/assets\/KnowledgePanel-[\w-]+\.js$/);
  await crashed.getByRole('button', { name: 'Try again' }).click();
  await expect(ui.byTestId('panel-knowledge')).toBeVisible();
  expect(problems.filter((p) => !p.includes('KnowledgePanel'))).toEqual([]);
});
