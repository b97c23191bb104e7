/**
 * The studio end to end in Debian's Chromium against `electron/web-host.ts` as a real process: a real
 * Chroma server child, the Ollama-protocol test server standing in for Ollama, real files in a temp data
 * folder. The flows run in order on one host (serial), then a second host starts on the same folder.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addLore, chatQuotesLore, createNpc, importCardAndChat, stopMidStream, type StudioUnderTest } from './support/chat-flows';
import {
  chromaChild,
  expectChromaGone,
  expectRestored,
  logsAndSettings,
  ollamaDownAndUp,
  quitThroughOverlay,
  type ChromaChild,
} from './support/lifecycle-flows';
import { studioEnv } from './support/studio-data';
import { WebHost } from './support/web-host';
import { WebStudio } from './support/web-studio';

test.describe.configure({ mode: 'serial' });

const studio = new WebStudio();
const ollama = studio.ollama;
let sut: StudioUnderTest;

async function openStudio(newPage: () => Promise<Page>): Promise<void> {
  const ui = await studio.open(await newPage());
  await expect(ui.byTestId('app-info')).toContainText('web');
  sut = { ui, ollama, hostPid: studio.host!.pid };
}

test.beforeAll(async ({ browser }, testInfo) => {
  // The first start may build the renderer and prepare Chroma's loader.
  testInfo.setTimeout(240_000);
  await studio.start('web');
  await openStudio(() => browser.newPage());
});

test.afterAll(() => studio.stop());

test('create an NPC', async () => {
  const testInfo = test.info();
  await createNpc(sut, testInfo);
});

test('add lore: pasted text is chunked into the real Chroma and found by the search preview', async () => {
  const testInfo = test.info();
  await addLore(sut, testInfo);
});

test('chat: the reply streams in, quotes the lore and cites its source', async () => {
  const testInfo = test.info();
  await chatQuotesLore(sut, testInfo);
});

test('stop mid-stream: in flight goes 1 → 0, socket figures match /proc and the server', async () => {
  const testInfo = test.info();
  await stopMidStream(sut, testInfo);
});

test('Ollama stops: red with the hint within 3 s; starts again on the same port: green', async () => {
  const testInfo = test.info();
  await ollamaDownAndUp(sut, testInfo);
});

test('import a Card V2 PNG and chat with it', async () => {
  const testInfo = test.info();
  await importCardAndChat(sut, testInfo);
});

test('logs and settings panels', async () => {
  const testInfo = test.info();
  await logsAndSettings(sut, testInfo);
});

let chroma: ChromaChild;

test('Quit: the overlay shows every step, the host exits 0, the Chroma child and its port are gone', async () => {
  const testInfo = test.info();
  chroma = await chromaChild(sut.ui);
  await quitThroughOverlay(sut, testInfo);
  const host = studio.host!;
  const exit = await host.waitForExit(15_000);
  expect(exit, host.output()).toEqual({ code: 0, signal: null });
  expect(host.stdout).toContain('NPC Studio stopped, exit code 0');
  await expectChromaGone(chroma);
  // The host closed every connection it had to Ollama.
  await expect.poll(() => ollama.live.connections.openCount).toBe(0);
  const reportFile = join(studio.dataDir, 'shutdown-report.json');
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { exitCode: number; reason: string; deadlineExceeded: boolean };
  expect(report).toMatchObject({ exitCode: 0, deadlineExceeded: false });
  testInfo.annotations.push({ type: 'shutdown reason', description: report.reason });
});

test('start again on the same data folder: NPCs, transcripts and lore intact, last shutdown report shown', async ({
  browser,
}, testInfo) => {
  testInfo.setTimeout(120_000);
  const host = await studio.startHost();
  await openStudio(() => browser.newPage());
  await expectRestored(sut, testInfo);

  // SIGTERM runs the same coordinator.
  const second = await chromaChild(sut.ui);
  expect(second.pid).not.toBe(chroma.pid);
  const exit = await host.stop(15_000);
  expect(exit, host.output()).toEqual({ code: 0, signal: null });
  await expectChromaGone(second);
});

test('after a SIGKILL the next start says the studio ended without a clean shutdown', async ({ browser }, testInfo) => {
  testInfo.setTimeout(120_000);
  if (studio.host?.running) await studio.host.stop(15_000);
  const killed = (await WebHost.start(studio.dataDir, studioEnv())).host;
  killed.kill('SIGKILL');
  expect((await killed.exited).signal).toBe('SIGKILL');
  await studio.startHost();
  await openStudio(() => browser.newPage());
  const banner = sut.ui.byTestId('last-shutdown-banner');
  await expect(banner).toHaveAttribute('data-unclean', 'true');
  await expect(banner).toContainText(/^NPC Studio ended without a clean shutdown at about \d\d:\d\d:\d\d on \d{4}-\d\d-\d\d\./);
  await expect(banner).not.toContainText('Last shutdown was clean');
  await sut.ui.snap(testInfo, 'unclean-exit-banner');
});
