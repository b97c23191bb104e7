/**
 * The same core flows in the Electron app (dist-electron/main.js, built with ELECTRON_STARTUP_PREVENT=1),
 * launched by Playwright's `_electron`. Runs only where the Electron binary exists (under an Xvfb display on
 * a Linux with none); elsewhere every test reports itself skipped with the reason.
 */
import { _electron as electron, expect, test, type ElectronApplication, type Page, type TestInfo } from '@playwright/test';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHUTDOWN_STEPS, type ShutdownReport } from '../../shared/shutdown';
import { defaultDataDir } from '../../electron/host/studio-paths';
import { addLore, chatQuotesLore, createNpc, importCardAndChat, stopMidStream, type StudioUnderTest } from './support/chat-flows';
import { ELECTRON_BINARY, electronAvailability, ensureElectronBuilt, VirtualDisplay } from './support/electron-app';
import { chromaChild, expectChromaGone, expectRestored, logsAndSettings, ollamaDownAndUp } from './support/lifecycle-flows';
import { OllamaStandIn } from './support/ollama';
import { studioEnv, writeSettings } from './support/studio-data';
import { StudioUi } from './support/studio-ui';
import { REPO, type Exit } from './support/web-host';

const availability = electronAvailability();
test.skip(!availability.ok, `Electron e2e: ${availability.ok ? '' : availability.reason}`);
test.describe.configure({ mode: 'serial' });

const ollama = new OllamaStandIn();
let display: VirtualDisplay | null = null;
let configHome = '';
let dataDir = '';
let app: ElectronApplication | null = null;
let exited: Promise<Exit> = Promise.resolve({ code: null, signal: null });
let sut: StudioUnderTest;

async function launch(): Promise<void> {
  app = await electron.launch({
    executablePath: ELECTRON_BINARY,
    // The repo folder: Electron reads package.json (main, productName → the "NPC Studio" user-data folder).
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), REPO],
    cwd: REPO,
    env: {
      ...(process.env as Record<string, string>),
      ...studioEnv(),
      XDG_CONFIG_HOME: configHome,
      APPDATA: configHome,
      ...(display?.display ? { DISPLAY: display.display } : {}),
    },
    timeout: 90_000,
  });
  const child = app.process();
  exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const page = await app.firstWindow();
  const ui = new StudioUi(page);
  await expect(ui.byTestId('app-info')).toContainText('electron', { timeout: 30_000 });
  // main.ts shows the window while the providers start: wait for Chroma and Ollama before the flows.
  await ui.openTab('resources');
  await expect(ui.providerCard('chroma-server')).toHaveAttribute('data-status', 'healthy', { timeout: 90_000 });
  await expect(ui.providerCard('ollama-client')).toHaveAttribute('data-status', 'healthy', { timeout: 30_000 });
  sut = { ui, ollama, hostPid: child.pid! };
}

async function exitWithin(ms: number): Promise<Exit> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`Electron did not exit within ${ms} ms`)), ms)),
  );
  try {
    return await Promise.race([exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Each quit row's outcome as the page changes it, sent out over the console: the window dies with the app. */
async function recordQuitRows(page: Page): Promise<Map<string, string>> {
  const rows = new Map<string, string>();
  page.on('console', (message) => {
    const m = /^quit-row (\S+) (\S+)$/.exec(message.text());
    if (m) rows.set(m[1]!, m[2]!);
  });
  await page.evaluate(() => {
    const seen = new Map<string, string>();
    new MutationObserver(() => {
      for (const row of document.querySelectorAll('[data-testid="quit-step"], [data-testid="quit-provider"]')) {
        const key = row.getAttribute('data-key') ?? '';
        const outcome = row.getAttribute('data-outcome') ?? '';
        if (seen.get(key) !== outcome) console.log(`quit-row ${key} ${outcome}`);
        seen.set(key, outcome);
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  return rows;
}

/** Quit from the window: the overlay shows the steps as they finish, the app exits 0, Chroma is gone. */
async function quitFromWindow(testInfo: TestInfo): Promise<void> {
  const chroma = await chromaChild(sut.ui);
  const rows = await recordQuitRows(sut.ui.page);
  await sut.ui.byTestId('quit-button').click();
  const overlay = sut.ui.byTestId('quit-overlay');
  await expect(overlay).toBeVisible();
  await expect(overlay.getByTestId('quit-step')).toHaveCount(SHUTDOWN_STEPS.length);
  await sut.ui.snap(testInfo, 'quit-overlay').catch(() => undefined); // the window may be gone already
  expect(await exitWithin(15_000)).toEqual({ code: 0, signal: null });
  // Every closing step was shown done; the last two may not reach the page before the process ends.
  for (const step of SHUTDOWN_STEPS.slice(0, SHUTDOWN_STEPS.indexOf('resources') + 1))
    expect(rows.get(step), `step ${step}: ${JSON.stringify([...rows])}`).toBe('ok');
  const report = JSON.parse(readFileSync(join(dataDir, 'shutdown-report.json'), 'utf8')) as ShutdownReport;
  expect(report.exitCode).toBe(0);
  expect(report.providers.filter((p) => p.outcome !== 'ok')).toEqual([]);
  await expectChromaGone(chroma);
  app = null;
}

test.beforeAll(async () => {
  test.info().setTimeout(420_000);
  ensureElectronBuilt();
  display = await VirtualDisplay.startIfNeeded();
  configHome = mkdtempSync(join(tmpdir(), 'npc-e2e-electron-'));
  dataDir = defaultDataDir({ XDG_CONFIG_HOME: configHome, APPDATA: configHome }, process.platform);
  await ollama.start();
  mkdirSync(dataDir, { recursive: true });
  writeSettings(dataDir, ollama.url);
  await launch();
});

test.afterAll(async () => {
  await app?.close().catch(() => undefined);
  await ollama.stop();
  await display?.stop();
  if (configHome) rmSync(configHome, { recursive: true, force: true });
});

test('create an NPC and add lore', async () => {
  await createNpc(sut, test.info());
  await addLore(sut, test.info());
});

test('chat: streamed reply quoting the lore with its citation; stop mid-stream', async () => {
  await chatQuotesLore(sut, test.info());
  await stopMidStream(sut, test.info());
});

test('Ollama stops and starts again; import a Card V2 PNG and chat with it', async () => {
  await ollamaDownAndUp(sut, test.info());
  await importCardAndChat(sut, test.info());
  await logsAndSettings(sut, test.info());
});

test('Quit: overlay, exit 0, Chroma child and port gone', async () => {
  await quitFromWindow(test.info());
});

test('start again: NPCs, transcripts and lore intact, last shutdown report shown', async () => {
  test.info().setTimeout(180_000);
  await launch();
  await expectRestored(sut, test.info());
  await quitFromWindow(test.info());
});
