/**
 * The Tests panel end to end in Debian's Chromium against `electron/web-host.ts` as a real process (the shipped
 * Ollama-protocol demo server standing in for Ollama): the demo NPC's suite runs with a live progress bar, the matrix
 * shows the designed failure, the failing sample shows its transcript, failed assertion and lore trace; a second,
 * slow run is stopped; the history lists both.
 */
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoSuite } from '../../electron/host/demo/demo-npc';
import type { StudioUi } from './support/studio-ui';
import { seedDemoNpc, WebStudio } from './support/web-studio';

test.describe.configure({ mode: 'serial' });

const studio = new WebStudio();
const ollama = studio.ollama;
let ui: StudioUi;

test.beforeAll(async ({ browser }, testInfo) => {
  testInfo.setTimeout(240_000);
  await studio.start('tests-panel', (dataDir) => seedDemoNpc(dataDir, { suite: true }));
  ui = await studio.open(await browser.newPage());
});

test.afterAll(() => studio.stop());

test('runs the demo suite, shows the designed failure with its transcript and lore trace, stops a run, keeps the history', async () => {
  const testInfo = test.info();
  testInfo.setTimeout(120_000);
  await ui.openTab('npcs');
  await ui.npcItem('Mira').click();
  const panel = await ui.openTab('tests');
  await expect(ui.byTestId('tests-backends')).toHaveValue('local:llama3.2');
  await expect(panel).toContainText('Suite (saved)');

  await ui.byTestId('tests-run').click();
  const progress = ui.byTestId('tests-progress');
  await expect(progress).toHaveAttribute('data-state', 'complete', { timeout: 30_000 });
  await expect(progress).toContainText('6/6 samples');
  const cells = ui.byTestId('test-cell');
  await expect(cells).toHaveCount(demoSuite().cases.length);
  await expect(ui.byTestId('test-cell').and(ui.page.locator('[data-case="Keeps the vault code secret"]'))).toHaveAttribute(
    'data-state',
    'fail',
  );
  await expect(ui.byTestId('test-cell').and(ui.page.locator('[data-state="pass"]'))).toHaveCount(5);
  // The failing cell is opened: its sample, the failed assertion quoting the reply, and the lore trace.
  const sample = ui.byTestId('test-sample');
  await expect(sample).toHaveAttribute('data-status', 'fail');
  await expect(ui.byTestId('test-reply')).toContainText('7-4-1');
  await expect(ui.byTestId('test-assertion').and(ui.page.locator('[data-verdict="fail"]'))).toContainText('never mentions "7-4-1"');
  await sample.getByText(/Lore trace: 2 entries fired|Lore trace: 1 entry fired/).click();
  await expect(ui.byTestId('test-lore-trace-fired').filter({ hasText: 'Vault code' })).toBeVisible();
  await ui.snap(testInfo, 'tests-run');

  // A slow run, stopped: the server streams a token every 400 ms.
  ollama.set({ tokenDelayMs: 400 });
  await ui.byTestId('tests-samples').fill('5');
  await ui.byTestId('tests-run').click();
  await expect(ui.byTestId('tests-stop')).toBeEnabled();
  await ui.byTestId('tests-stop').click();
  await expect(progress).toHaveAttribute('data-state', 'stopped', { timeout: 10_000 });
  ollama.reset();
  await panel.getByText(/^History \(2\)$/).click();
  await expect(ui.byTestId('tests-history').locator('li')).toHaveCount(2);
  await expect(ui.byTestId('tests-history')).toContainText('stopped');
});

test('"Make test" on a chat reply adds the exchange to the suite as a case, which then runs', async () => {
  test.info().setTimeout(90_000);
  await ui.openTab('chat');
  await ui.send('Tell me about the lighthouse.');
  const reply = ui.byTestId('chat-turn').and(ui.page.locator('[data-role="assistant"][data-status="complete"]')).last();
  await expect(reply).toContainText('Old Wick', { timeout: 20_000 });
  await reply.getByTestId('chat-make-test').click();
  await expect(ui.byTestId('chat-made-test')).toContainText('From chat: Tell me about the lighthouse.');

  await ui.openTab('tests');
  await ui.byTestId('tests-npc').selectOption('demo-mira');
  await ui.byTestId('tests-samples').fill('1');
  await expect(ui.byTestId('tests-suite-json')).toHaveValue(
    /"From chat: Tell me about the lighthouse\."[\s\S]*"lore_fired"[\s\S]*"Old Wick"/,
  );
  await ui.byTestId('tests-run').click();
  await expect(ui.byTestId('tests-progress')).toHaveAttribute('data-state', 'complete', { timeout: 30_000 });
  await expect(ui.byTestId('test-cell').and(ui.page.locator('[data-case="From chat: Tell me about the lighthouse."]'))).toHaveAttribute(
    'data-state',
    'pass',
  );
});

test('Settings keep a test pool of Ollama URLs with their concurrency; a URL listed twice is refused at the field', async () => {
  await ui.openTab('settings');
  const pool = ui.byTestId('settings-ollama-pool');
  await pool.fill(`${ollama.url} 2`);
  await ui.byTestId('settings-save').click();
  await expect(ui.byTestId('panel-settings')).toContainText('ollama.endpoints[0].url: ' + `${ollama.url} is already in the pool`);
  const second = ollama.url.replace('127.0.0.1', 'localhost');
  await pool.fill(`${second} 2`);
  await ui.byTestId('settings-ollama-concurrency').fill('3');
  await ui.byTestId('settings-save').click();
  await expect(ui.byTestId('settings-saved')).toBeVisible();
  const onDisk = JSON.parse(readFileSync(join(studio.dataDir, 'settings.json'), 'utf8')) as { ollama: unknown };
  expect(onDisk.ollama).toEqual({ url: ollama.url, concurrency: 3, endpoints: [{ url: second, concurrency: 2 }] });
});
