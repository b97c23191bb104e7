import { expect, type Locator, type Page, type TestInfo } from '@playwright/test';

export type TabId = 'npcs' | 'chat' | 'lorebooks' | 'knowledge' | 'tests' | 'resources' | 'logs' | 'settings';

/** The studio's page, addressed by its data-testid attributes (renderer/src). */
export class StudioUi {
  constructor(readonly page: Page) {}

  byTestId(id: string): Locator {
    return this.page.getByTestId(id);
  }

  async waitConnected(): Promise<void> {
    await expect(this.byTestId('app')).toHaveAttribute('data-connection', 'open', { timeout: 15_000 });
  }

  async openTab(id: TabId): Promise<Locator> {
    await this.byTestId(`tab-${id}`).click();
    const panel = this.byTestId(`panel-${id}`);
    await expect(panel).toBeVisible();
    return panel;
  }

  /** A full-page screenshot kept with the test's output and attached to the report. */
  async snap(testInfo: TestInfo, name: string): Promise<void> {
    const path = testInfo.outputPath(`${name}.png`);
    await this.page.screenshot({ path, fullPage: true });
    await testInfo.attach(name, { path, contentType: 'image/png' });
  }

  npcItem(name: string): Locator {
    return this.byTestId('npc-item').filter({ hasText: name });
  }

  providerCard(id: string): Locator {
    return this.page.locator(`[data-testid="resource-card"][data-provider-id="${id}"]`);
  }

  /** A figure on a provider card: `resource-<name>` (e.g. in-flight, open-sockets, pid, figure-port). */
  figure(providerId: string, name: string): Locator {
    return this.providerCard(providerId).getByTestId(`resource-${name}`).locator('dd');
  }

  async figureNumber(providerId: string, name: string): Promise<number> {
    const text = (await this.figure(providerId, name).textContent())?.trim() ?? '';
    const value = Number(text);
    if (text === '' || !Number.isFinite(value)) throw new Error(`${providerId} shows ${name} "${text}", not a number`);
    return value;
  }

  turns(): Locator {
    return this.byTestId('chat-turn');
  }

  lastReply(): Locator {
    return this.page.locator('[data-testid="chat-turn"][data-role="assistant"]').last();
  }

  async send(text: string): Promise<void> {
    await this.byTestId('chat-input').fill(text);
    await this.byTestId('chat-send').click();
  }

  /**
   * Records, in the page, every distinct text a streaming reply shows (the DOM as the user sees it, frame by
   * frame); `streamSamples()` reads them back.
   */
  async recordStreaming(): Promise<void> {
    await this.page.evaluate(() => {
      const w = window as unknown as { __samples: string[]; __observer?: MutationObserver };
      w.__observer?.disconnect();
      w.__samples = [];
      const take = () => {
        const el = document.querySelector('[data-testid="chat-turn"][data-status="streaming"] [data-testid="chat-turn-text"]');
        const text = el?.textContent ?? null;
        if (text && w.__samples.at(-1) !== text) w.__samples.push(text);
      };
      w.__observer = new MutationObserver(take);
      w.__observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });
  }

  async streamSamples(): Promise<string[]> {
    return this.page.evaluate(() => {
      const w = window as unknown as { __samples: string[]; __observer?: MutationObserver };
      w.__observer?.disconnect();
      return w.__samples ?? [];
    });
  }
}
