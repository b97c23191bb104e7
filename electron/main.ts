/*
 * Electron glue, kept thin: the window, the IPC adapter and the quit path. Everything else is the
 * plain-Node host in electron/host (studio.ts), tested without Electron.
 */
import { app, BrowserWindow, ipcMain, session, type IpcMainInvokeEvent } from 'electron';
import { join } from 'node:path';
import { ELECTRON_EVENT, ELECTRON_INVOKE } from '../shared/electron-ipc';
import { EVENT_NAMES } from '../shared/events';
import { contentSecurityPolicy } from './host/ipc/static-files';
import { installExitHooks } from './host/lifecycle/process-exit-hooks';
import { createStudio, type Studio } from './host/studio';

const devServerUrl = process.env.VITE_DEV_SERVER_URL;
const rendererFile = join(__dirname, '../dist/renderer/index.html');
let window: BrowserWindow | null = null;
let quitting = false;

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1320,
    height: 860,
    show: false,
    title: 'NPC Studio',
    webPreferences: {
      preload: join(__dirname, 'preload.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      // Middle-click (auxclick) could open a link in a new window; nothing in the studio needs it.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.webContents.on('will-navigate', (event) => event.preventDefault());
  win.once('ready-to-show', () => win.show());
  if (devServerUrl) void win.loadURL(devServerUrl);
  else void win.loadFile(rendererFile);
  return win;
}

/** Only the top frame of our own window, showing our own page, may call the host. */
function senderOf(event: IpcMainInvokeEvent) {
  const frame = event.senderFrame;
  const url = frame?.url ?? '';
  const ours = devServerUrl ? url.startsWith(devServerUrl) : url.startsWith('file://') && url.includes('/dist/renderer/');
  const topFrame = !!frame && !!window && frame === window.webContents.mainFrame;
  return { transport: 'electron' as const, origin: frame?.origin ?? '', topFrame, trusted: ours && event.sender === window?.webContents, id: event.sender.id };
}

function wire(studio: Studio): void {
  ipcMain.handle(ELECTRON_INVOKE, (event, channel: unknown, input: unknown) =>
    studio.router.call(String(channel), input, { sender: senderOf(event) }),
  );
  for (const name of EVENT_NAMES) {
    studio.router.subscribe(name, (payload) => {
      if (window && !window.isDestroyed()) window.webContents.send(ELECTRON_EVENT, name, payload);
    });
  }
}

async function shutDown(studio: Studio, reason: string): Promise<void> {
  const report = await studio.coordinator.run(reason);
  // app.exit emits no quit events, so this cannot loop back into before-quit.
  setImmediate(() => app.exit(report.exitCode));
}

async function main(): Promise<void> {
  // Another user-data folder (tests, a second profile): set before Electron writes anything there.
  if (process.env.NPC_STUDIO_DATA_DIR) app.setPath('userData', process.env.NPC_STUDIO_DATA_DIR);
  await app.whenReady();
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  // The built page carries its CSP in a meta tag (file:// has no headers); the dev server's responses get it as a header.
  if (devServerUrl) {
    const csp = contentSecurityPolicy(new URL(devServerUrl).origin);
    ses.webRequest.onHeadersReceived((details, callback) =>
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } }),
    );
  }

  const studio = await createStudio({
    mode: 'electron',
    dataDir: app.getPath('userData'),
    version: app.getVersion(),
    requestQuit: () => app.quit(),
  });
  app.on('before-quit', (event) => {
    if (quitting) return;
    event.preventDefault();
    quitting = true;
    void shutDown(studio, 'before-quit');
  });
  app.on('window-all-closed', () => app.quit());
  // Electron's own SIGINT/SIGTERM/SIGHUP handlers call app.quit() → before-quit; these join the same
  // run, count a second signal, add a force-exit timer and catch uncaught errors.
  installExitHooks({ coordinator: studio.coordinator, logger: studio.logger, exit: (code) => app.exit(code) });

  wire(studio);
  window = createWindow();
  window.on('closed', () => (window = null));
  await studio.start();
}

main().catch((err: unknown) => {
  process.stderr.write(`NPC Studio failed to start: ${(err as Error).stack ?? String(err)}\n`);
  app.exit(1);
});
