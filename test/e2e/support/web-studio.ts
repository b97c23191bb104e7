import type { Page } from '@playwright/test';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { demoNpcDraft, demoSuite } from '../../../electron/host/demo/demo-npc';
import { memoryLogger } from '../../../electron/host/log/logger';
import { NpcStore } from '../../../electron/host/npc/npc-store';
import { SuiteStore } from '../../../electron/host/suites/suite-store';
import { OllamaStandIn } from './ollama';
import { studioEnv, tempDataDir, writeSettings } from './studio-data';
import { StudioUi } from './studio-ui';
import { WebHost } from './web-host';

/** What closes with the page: the page itself, or the browser context it was opened in. */
interface Closable {
  close(): Promise<void>;
}

/**
 * One studio for a serial spec: a fresh data folder with settings pointing at an Ollama stand-in, the web host as a
 * real process, and the page it is open in. stop() (the spec's afterAll) closes all of it and removes the folder.
 */
export class WebStudio {
  readonly ollama = new OllamaStandIn();
  dataDir = '';
  host: WebHost | null = null;
  url = '';
  private opened: Closable | null = null;

  /** Makes the data folder and starts the stand-in; `prepare` writes files before the host first starts. */
  async start(label: string, prepare?: (dataDir: string) => void | Promise<void>): Promise<WebHost> {
    this.dataDir = tempDataDir(label);
    await this.ollama.start();
    writeSettings(this.dataDir, this.ollama.url);
    await prepare?.(this.dataDir);
    return this.startHost();
  }

  /** Starts a web host on the data folder (again, after a quit or a kill). */
  async startHost(): Promise<WebHost> {
    const started = await WebHost.start(this.dataDir, studioEnv());
    this.host = started.host;
    this.url = started.url;
    return started.host;
  }

  /** Opens the studio in `page` and waits until it is connected; closes the page opened before (or `owner`, its context). */
  async open(page: Page, owner: Closable = page): Promise<StudioUi> {
    await this.opened?.close();
    this.opened = owner;
    const ui = new StudioUi(page);
    await page.goto(this.url);
    await ui.waitConnected();
    return ui;
  }

  async stop(): Promise<void> {
    await this.opened?.close();
    const exit = await this.host?.stop();
    if (exit && exit.code !== 0) console.error(`web host exited with ${exit.code ?? exit.signal}\n${this.host?.output()}`);
    await this.ollama.stop();
    if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Saves the demo NPC (Mira), and with `suite` its test suite, into a data folder before the studio starts. */
export async function seedDemoNpc(dataDir: string, { suite = false } = {}): Promise<void> {
  const logger = memoryLogger('warn').logger;
  const npcs = new NpcStore({ dir: join(dataDir, 'npcs'), logger });
  await npcs.initialize();
  await npcs.save(demoNpcDraft());
  await npcs.cleanup();
  if (!suite) return;
  const suites = new SuiteStore({ dir: join(dataDir, 'suites'), logger });
  await suites.initialize();
  await suites.save(demoSuite());
  await suites.cleanup();
}
