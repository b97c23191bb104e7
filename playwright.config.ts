import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests drive Debian's Chromium (/usr/bin/chromium) against the web host. Playwright's
 * own browser downloads are never used (`npx playwright install` is not part of the setup).
 */
export default defineConfig({
  testDir: 'test/e2e',
  outputDir: 'test-results',
  // The flows share one host process per file and measure its sockets and children.
  fullyParallel: false,
  workers: 1,
  timeout: 60_000,
  expect: { timeout: 5_000 },
  retries: 0,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    browserName: 'chromium',
    headless: true,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
