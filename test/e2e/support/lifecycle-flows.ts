/**
 * Backends going away and coming back, the other panels, Quit with its overlay, and what the next start
 * finds: shared by the web-host spec and the Electron spec.
 */
import { expect, type TestInfo } from '@playwright/test';
import { SHUTDOWN_STEPS } from '../../../shared/shutdown';
import { isListening, pidAlive } from '../../../electron/host/resources/proc';
import { IMPORTED_NPC } from './card-file';
import { LORE_QUOTE, NPC, searchFindsLore, type StudioUnderTest } from './chat-flows';
import type { StudioUi } from './studio-ui';

/** Ollama stops: the card turns red with the hint within 3 s; it starts again on the same port: green. */
export async function ollamaDownAndUp({ ui, ollama }: StudioUnderTest, testInfo: TestInfo): Promise<void> {
  await ui.openTab('resources');
  const card = ui.providerCard('ollama-client');
  await expect(card).toHaveAttribute('data-status', 'healthy');

  await ollama.stop();
  const stoppedAt = Date.now();
  await expect(card).toHaveAttribute('data-status', 'unhealthy', { timeout: 3_000 });
  await expect(card.getByTestId('resource-status-light')).toHaveClass(/unhealthy/, { timeout: 3_000 });
  await expect(card.getByTestId('resource-last-error')).toContainText(`Ollama is not reachable at ${ollama.url}`, { timeout: 3_000 });
  await expect(card.getByTestId('resource-hint')).toContainText('ollama serve', { timeout: 3_000 });
  testInfo.annotations.push({ type: 'ollama down → red', description: `${Date.now() - stoppedAt} ms` });
  await expect(ui.byTestId('tab-resources-status')).toHaveAttribute('data-status', 'unhealthy');
  const banner = ui.page.locator('[data-testid="backend-banner"][data-provider-id="ollama-client"]');
  await expect(banner).toBeVisible();
  // The hint is in the banner once (in its message here, so no second copy of it).
  await expect(banner).toContainText('ollama serve');
  await ui.snap(testInfo, 'resources-ollama-down');

  await ollama.start();
  const startedAt = Date.now();
  await expect(card).toHaveAttribute('data-status', 'healthy', { timeout: 5_000 });
  await expect(card.getByTestId('resource-hint')).toHaveCount(0);
  await expect(banner).toHaveCount(0);
  testInfo.annotations.push({ type: 'ollama back → green', description: `${Date.now() - startedAt} ms` });
  await ui.snap(testInfo, 'resources-ollama-back');
}

/** The Logs panel tails the host's log; Settings shows the Ollama URL the studio was started with. */
export async function logsAndSettings({ ui, ollama }: StudioUnderTest, testInfo: TestInfo): Promise<void> {
  await ui.openTab('logs');
  const ready = ui.byTestId('log-line').filter({ hasText: 'NPC Studio ready' });
  // Each level change reloads the tail from the host's log ring.
  await ui.byTestId('logs-level').selectOption('warn');
  await expect(ready).toHaveCount(0);
  await expect(ui.page.locator('[data-testid="log-line"][data-level="info"]')).toHaveCount(0);
  await ui.byTestId('logs-level').selectOption('info');
  await expect(ready).toHaveCount(1);
  await ui.snap(testInfo, 'logs');
  await ui.openTab('settings');
  await expect(ui.byTestId('settings-ollama-url')).toHaveValue(ollama.url);
  await ui.snap(testInfo, 'settings');
}

export interface ChromaChild {
  pid: number;
  port: number;
}

/** The Chroma server child as the Resources panel shows it (and as the OS confirms). */
export async function chromaChild(ui: StudioUi): Promise<ChromaChild> {
  await ui.openTab('resources');
  await expect(ui.providerCard('chroma-server')).toHaveAttribute('data-status', 'healthy');
  const child = { pid: await ui.figureNumber('chroma-server', 'pid'), port: await ui.figureNumber('chroma-server', 'figure-port') };
  expect(pidAlive(child.pid), `Chroma pid ${child.pid} alive`).toBe(true);
  expect(isListening(child.port), `Chroma listening on ${child.port}`).toBe(true);
  return child;
}

/** One click on Quit: the overlay lists every step and provider, each ✅, and says the host exits with 0. */
export async function quitThroughOverlay({ ui }: StudioUnderTest, testInfo: TestInfo): Promise<void> {
  await ui.byTestId('quit-button').click();
  const overlay = ui.byTestId('quit-overlay');
  await expect(overlay).toBeVisible();
  await expect(ui.byTestId('quit-done')).toHaveAttribute('data-exit-code', '0', { timeout: 15_000 });
  for (const step of SHUTDOWN_STEPS) {
    await expect(overlay.locator(`[data-testid="quit-step"][data-key="${step}"]`), `step ${step}`).toHaveAttribute('data-outcome', 'ok');
  }
  const providers = overlay.getByTestId('quit-provider');
  for (const id of ['local-processor', 'ollama-client', 'npc-store', 'transcript-store', 'knowledge-store', 'chroma-server']) {
    await expect(providers.and(ui.page.locator(`[data-key="${id}"]`)), `provider ${id}`).toHaveAttribute('data-outcome', 'ok');
  }
  const outcomes = await providers.evaluateAll((rows) =>
    rows.map((r) => `${r.getAttribute('data-key')}=${r.getAttribute('data-outcome')}`),
  );
  expect(
    outcomes.filter((o) => !o.endsWith('=ok')),
    outcomes.join(', '),
  ).toEqual([]);
  await expect(ui.byTestId('quit-elapsed')).toHaveText(/^\d+ ms$/);
  await ui.snap(testInfo, 'quit-overlay');
}

/** After the process is gone: no Chroma child, nothing on its port. */
export async function expectChromaGone(child: ChromaChild): Promise<void> {
  await expect.poll(() => pidAlive(child.pid), { message: `Chroma pid ${child.pid} still alive`, timeout: 5_000 }).toBe(false);
  await expect.poll(() => isListening(child.port), { message: `port ${child.port} still listening`, timeout: 5_000 }).toBe(false);
}

/** The next start on the same data folder: the last shutdown report, both NPCs, the transcript and the lore. */
export async function expectRestored({ ui }: StudioUnderTest, testInfo: TestInfo): Promise<void> {
  const banner = ui.byTestId('last-shutdown-banner');
  await expect(banner).toBeVisible();
  await expect(banner).toHaveAttribute('data-exit-code', '0');
  await expect(banner).toContainText('Last shutdown was clean');
  await expect(ui.byTestId('last-shutdown-provider').and(ui.page.locator('[data-provider-id="chroma-server"]'))).toHaveAttribute(
    'data-outcome',
    'ok',
  );

  await ui.openTab('npcs');
  await expect(ui.byTestId('npc-item')).toHaveCount(2);
  await expect(ui.npcItem(NPC.name)).toBeVisible();
  await expect(ui.npcItem(IMPORTED_NPC.name)).toBeVisible();
  await ui.snap(testInfo, 'restart-npcs');

  await ui.npcItem(NPC.name).click();
  await ui.byTestId('npc-chat').click();
  // greeting, question, reply with lore, question, interrupted reply
  await expect(ui.turns()).toHaveCount(5);
  await expect(ui.turns().nth(2)).toContainText(LORE_QUOTE);
  await expect(ui.turns().nth(4)).toHaveAttribute('data-status', 'interrupted');
  await ui.snap(testInfo, 'restart-chat');

  await ui.openTab('knowledge');
  await expect(ui.byTestId('knowledge-source').filter({ hasText: NPC.source })).toBeVisible();
  await searchFindsLore(ui);
  await ui.snap(testInfo, 'restart-knowledge');
}
