/**
 * Issue J end to end: the Resources panel a designer reads and Ollama's models managed from the studio, in
 * Chromium against the web host (real process, real Chroma child), the Ollama-protocol server in this process.
 */
import { expect, test } from '@playwright/test';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StudioUi } from './support/studio-ui';
import { WebStudio } from './support/web-studio';

test.describe.configure({ mode: 'serial' });

const studio = new WebStudio();
const ollama = studio.ollama;
let ui: StudioUi;

const PULLED = 'qwen2.5:0.5b';
const CAP_USD = 4;

test.beforeAll(async ({ browser }, testInfo) => {
  testInfo.setTimeout(240_000);
  await studio.start('models', (dataDir) => {
    // A budget cap, and this month's hosted spending already past it ($5 of $4).
    const settingsFile = join(dataDir, 'settings.json');
    writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(readFileSync(settingsFile, 'utf8')), budget: { monthlyCapUsd: CAP_USD } }));
    const spent = {
      time: new Date().toISOString(),
      npcId: 'someone',
      processor: 'hosted',
      model: 'anthropic.claude-3-haiku',
      inputTokens: 100_000,
      outputTokens: 20_000,
      latencyMs: 900,
      costUsd: 5,
    };
    appendFileSync(join(dataDir, 'usage.jsonl'), JSON.stringify(spent) + '\n');
  });
  ui = await studio.open(await browser.newPage({ viewport: { width: 1400, height: 1000 } }));
});

test.afterAll(() => studio.stop());

async function pullPercents(model: string, until: (state: string, percent: number) => boolean): Promise<number[]> {
  const pull = ui.byTestId('model-pull').filter({ hasText: model }).last();
  const seen: number[] = [];
  await expect
    .poll(
      async () => {
        const percent = Number(await pull.getAttribute('data-percent'));
        const state = (await pull.getAttribute('data-state')) ?? '';
        if (seen.at(-1) !== percent) seen.push(percent);
        return until(state, percent);
      },
      { timeout: 30_000, intervals: [50] },
    )
    .toBe(true);
  return seen;
}

test('pull a model: the bar moves to 100 % and the model is on disk', async () => {
  ollama.set({ pullSteps: 40, pullStepDelayMs: 60 });
  await ui.openTab('resources');
  await ui.byTestId('model-pull-name').fill(PULLED);
  await ui.byTestId('model-pull-start').click();
  const seen = await pullPercents(PULLED, (state) => state === 'done');
  const pull = ui.byTestId('model-pull').filter({ hasText: PULLED }).last();
  await expect(pull).toHaveAttribute('data-percent', '100');
  await expect(pull).toContainText('379.4 MB of 379.4 MB');
  const moving = seen.filter((p) => p > 0 && p < 100);
  expect(moving.length, `percents seen: ${seen.join(', ')}`).toBeGreaterThanOrEqual(3);
  expect(seen).toEqual([...seen].sort((a, b) => a - b));
  await expect(ui.page.locator(`[data-testid="model-available"][data-model="${PULLED}"]`)).toBeVisible();
  await ui.page.locator(`[data-testid="model-available"][data-model="${PULLED}"]`).getByTestId('model-show').click();
  await expect(ui.byTestId('model-details')).toContainText('context 32,768 tokens');
  await ui.snap(test.info(), 'models-pulled');
});

test('cancel a pull midway: the server sees the stream close', async () => {
  ollama.set({ pullSteps: 400, pullStepDelayMs: 50 });
  await ui.byTestId('model-pull-name').fill('phi3:mini');
  await ui.byTestId('model-pull-start').click();
  await pullPercents('phi3:mini', (_state, percent) => percent >= 3);
  const pull = ui.byTestId('model-pull').filter({ hasText: 'phi3:mini' }).last();
  await ui.snap(test.info(), 'models-pull-midway');
  await pull.getByTestId('model-pull-cancel').click();
  await expect(pull).toHaveAttribute('data-state', 'cancelled');
  await expect.poll(() => ollama.live.pulls.find((p) => p.model === 'phi3:mini')?.outcome).toBe('cancelled');
  const record = ollama.live.pulls.find((p) => p.model === 'phi3:mini')!;
  expect(record.completed).toBeGreaterThan(0);
  expect(record.completed).toBeLessThan(record.total);
  await expect(ui.page.locator('[data-testid="model-available"][data-model="phi3:mini"]')).toHaveCount(0);
  await ui.snap(test.info(), 'models-pull-cancelled');
});

test('pick the pulled model in the NPC editor and chat with it', async () => {
  await ui.openTab('npcs');
  await ui.byTestId('npc-new').click();
  await ui.byTestId('npc-field-name').fill('Quill');
  await ui.byTestId('npc-field-description').fill('{{char}} keeps the harbor ledger.');
  const options = ui.byTestId('npc-model-options').locator('option');
  await expect.poll(async () => options.evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value))).toContain(PULLED);
  await ui.byTestId('npc-field-model').fill(PULLED);
  await expect(ui.byTestId('npc-model-missing')).toHaveCount(0);
  await ui.snap(test.info(), 'npc-model-picker');
  await ui.byTestId('npc-save').click();
  await ui.byTestId('npc-chat').click();
  const before = ollama.live.requests.length;
  await ui.send('What is in the ledger?');
  await expect(ui.lastReply()).toHaveAttribute('data-status', 'complete', { timeout: 20_000 });
  await expect(ui.lastReply().getByTestId('chat-turn-text')).not.toHaveText('');
  // The chat went to Ollama with the model picked in the editor.
  await expect.poll(() => ollama.live.requests.slice(before).find((r) => r.path === '/api/chat')?.body).toMatchObject({ model: PULLED });
  await ui.snap(test.info(), 'chat-with-pulled-model');
});

test('delete a model after confirming', async () => {
  await ui.openTab('resources');
  const row = ui.page.locator(`[data-testid="model-available"][data-model="${PULLED}"]`);
  await row.getByTestId('model-delete').click();
  await expect(row.getByTestId('model-delete-confirm')).toContainText(`Delete ${PULLED} (379.4 MB) from Ollama?`);
  await ui.snap(test.info(), 'models-delete-confirm');
  await row.getByTestId('model-delete-yes').click();
  await expect(row).toHaveCount(0);
});

test('Ollama down: the local processor is degraded naming its client; back up: recovered, error cleared', async () => {
  await ui.openTab('resources');
  const local = ui.providerCard('local-processor');
  const client = ui.providerCard('ollama-client');
  await expect(client).toHaveAttribute('data-status', 'healthy');
  await ollama.stop();
  await expect(local).toHaveAttribute('data-status', 'degraded', { timeout: 5_000 });
  await expect(local).toHaveAttribute('data-depends-on-down', 'ollama-client');
  await expect(local.getByTestId('resource-summary')).toContainText('waiting for Ollama connection');
  await expect(local.getByTestId('resource-last-error')).toContainText('needs ollama-client, which is unhealthy');
  await expect(ui.page.locator('[data-testid="backend-banner"]')).toHaveCount(1);
  await expect(
    ui.page.locator('[data-testid="backend-banner"][data-provider-id="ollama-client"]').getByTestId('backend-banner-action'),
  ).toHaveText('Check the Ollama URL in Settings');
  await ui.snap(test.info(), 'resources-ollama-down');

  await ollama.start();
  await expect(client).toHaveAttribute('data-status', 'healthy', { timeout: 8_000 });
  await expect(local).toHaveAttribute('data-status', 'healthy');
  await expect(client.getByTestId('resource-last-error')).toHaveCount(0);
  await expect(client.getByTestId('resource-recovered')).toContainText(/Recovered at \d\d:\d\d:\d\d/);
  await expect(ui.byTestId('backend-banner')).toHaveCount(0);
  await ui.snap(test.info(), 'resources-ollama-recovered');
});

test('the panel reads as words with units; figures name their source; the host is not a "Child pid"', async () => {
  const hostCard = ui.providerCard('studio-host');
  await expect(hostCard.getByTestId('resource-pid').locator('dt')).toHaveText('Process id');
  await expect(hostCard.getByTestId('resource-rss').locator('dd')).toContainText(/\d+(\.\d)? MB/);
  await expect(hostCard.getByTestId('resource-rss')).toHaveAttribute('data-source', 'node');
  // The host, then the Chroma server it started (with the port it listens on, from /proc).
  const rows = hostCard.getByTestId('process-row');
  await expect(rows.first()).toContainText('studio host');
  const chromaPid = await ui.figureNumber('chroma-server', 'pid');
  const chromaRow = hostCard.locator(`[data-testid="process-row"][data-pid="${chromaPid}"]`);
  await expect(chromaRow).toContainText('Chroma server');
  await expect(chromaRow.getByTestId('process-ports')).toHaveText(String(await ui.figureNumber('chroma-server', 'figure-port')));
  await expect(chromaRow.getByTestId('process-ports')).toHaveAttribute('data-source', 'proc');
  await expect(ui.page.getByText('Child pid')).toHaveCount(0);
  const groups = await ui.page.locator('[data-testid="resource-group"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-phase')));
  expect(groups).toEqual(['host', 'processors', 'clients', 'stores', 'resources']);
  await expect(hostCard.getByTestId('chart-rssBytes')).toBeVisible();
  await expect(ui.page.locator('.banner, .provider-card').filter({ hasText: /[\u{2705}\u{274C}\u{23F1}\u{2796}]/u })).toHaveCount(0);
  await ui.snap(test.info(), 'resources-panel');
});

test('a hosted turn over the budget cap is refused with a clear error', async () => {
  await ui.openTab('npcs');
  await ui.byTestId('npc-new').click();
  await ui.byTestId('npc-field-name').fill('Envoy');
  await ui.byTestId('npc-field-processor').selectOption('hosted');
  await ui.byTestId('npc-field-model').fill('anthropic.claude-3-haiku');
  await ui.byTestId('npc-save').click();
  await ui.byTestId('npc-chat').click();
  await ui.send('Hello there');
  await expect(ui.page.getByText('which has reached the budget cap of $4.00. No request was sent.').first()).toBeVisible({
    timeout: 10_000,
  });
  await ui.snap(test.info(), 'chat-budget-refused');
  await ui.openTab('resources');
  const hosted = ui.providerCard('hosted-processor');
  await expect(hosted).toHaveAttribute('data-status', 'degraded');
  await expect(hosted.getByTestId('resource-last-error')).toContainText('Budget cap reached ($5.00 of the $4.00 monthly budget)');
  await expect(hosted.getByTestId('resource-figure-hostedCostThisMonthUsd').locator('dd')).toHaveText('$5.00');
  await ui.snap(test.info(), 'resources-budget');

  // The designer raises the cap in Settings: the card leaves the red, and at $5 of $6 it warns (over 80 %).
  await ui.openTab('settings');
  await ui.byTestId('settings-budget-cap').fill('6');
  await ui.byTestId('settings-save').click();
  await expect(ui.byTestId('settings-saved')).toBeVisible();
  await ui.openTab('resources');
  await expect(hosted.getByTestId('resource-last-error')).toContainText('83 % of the budget used ($5.00 of the $6.00 monthly budget)', {
    timeout: 5_000,
  });
  await ui.snap(test.info(), 'resources-budget-raised');
});
