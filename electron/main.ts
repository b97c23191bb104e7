/*
 * Electron glue, kept thin: the window, the IPC adapter and the quit path. Everything else is the
 * plain-Node host in electron/host (studio.ts), tested without Electron.
 */
import { app, BrowserWindow, dialog, ipcMain, session, shell, type IpcMainInvokeEvent } from 'electron';
import { join } from 'node:path';
import { ELECTRON_EVENT, ELECTRON_INVOKE } from '../shared/electron-ipc';
import { EVENT_NAMES } from '../shared/events';
import { externalLinkSchema } from '../shared/links';
import { contentSecurityPolicy } from './host/ipc/static-files';
import { DataFolderLockedError, lockDataFolder } from './host/lifecycle/data-folder-lock';
import { ElectronQuitPath } from './host/lifecycle/electron-quit';
import { installExitHooks } from './host/lifecycle/process-exit-hooks';
import { createStudio, type Studio } from './host/studio';

const devServerUrl = process.env.VITE_DEV_SERVER_URL;
const rendererFile = join(__dirname, '../dist/renderer/index.html');
let window: BrowserWindow | null = null;

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
  return {
    transport: 'electron' as const,
    origin: frame?.origin ?? '',
    topFrame,
    trusted: ours && event.sender === window?.webContents,
    id: event.sender.id,
  };
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

async function main(): Promise<void> {
  // Another user-data folder (tests, a second profile): set before Electron writes anything there.
  if (process.env.NPC_STUDIO_DATA_DIR) app.setPath('userData', process.env.NPC_STUDIO_DATA_DIR);
  // One studio per data folder: a second Electron start hands over to the first, which shows its window; a
  // web host or CLI holding the folder refuses this start before Electron writes anything there (exit 2).
  if (!app.requestSingleInstanceLock()) return app.exit(0);
  app.on('second-instance', () => {
    if (window?.isMinimized()) window.restore();
    window?.focus();
  });
  const otherFolderHint = 'set NPC_STUDIO_DATA_DIR to another folder';
  const lock = await lockDataFolder(app.getPath('userData'), { app: 'electron', otherFolderHint }).catch((err: unknown) => {
    if (!(err instanceof DataFolderLockedError)) throw err;
    dialog.showErrorBox('NPC Studio is already open', err.message);
    return app.exit(err.exitCode);
  });
  if (!lock) return;
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

  // Holds before-quit, will-quit and the window's close from here on; a quit asked for meanwhile waits for the hooks.
  const quitPath = new ElectronQuitPath({ app });
  const studio = await createStudio({
    mode: 'electron',
    dataDir: app.getPath('userData'),
    version: app.getVersion(),
    lock,
    requestQuit: (reason) => quitPath.request(reason),
    // Checked again here, where the link leaves the app: only http, https and mailto (the router checked it already).
    openExternal: (url) => shell.openExternal(externalLinkSchema.parse(url)),
  });
  // Signals (Electron's own handlers call app.quit() too; both name one request), the launch chain's exit and
  // uncaught errors; the force-exit timer bounds every shutdown, report write and log flush included.
  quitPath.attach(installExitHooks({ coordinator: studio.coordinator, logger: studio.logger, exit: quitPath.exit }));

  wire(studio);
  window = createWindow();
  window.on('close', quitPath.onWindowClose);
  window.on('closed', () => (window = null));
  await studio.start();
}

main().catch((err: unknown) => {
  process.stderr.write(`NPC Studio failed to start: ${(err as Error).stack ?? String(err)}\n`);
  app.exit(1);
});
