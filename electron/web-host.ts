/**
 * The studio in a browser: the same host and router as the Electron app, over a WebSocket on
 * 127.0.0.1 guarded by a per-run token and an Origin check, serving the built renderer.
 *
 *   npm run studio:web [-- --demo] [-- --port 5199] [-- --data-dir DIR]
 *
 * Prints the URL (with its token) to open. Quit in the page, Ctrl-C, SIGTERM or SIGHUP all run the
 * shutdown coordinator; the process then exits with its exit code. Copies of the first signal relayed by the
 * launch chain (within 500 ms) are the same request; a later one exits at once with 1. npm or the sh under it
 * killed: the exit hooks' launch chain watch runs the same shutdown (lifecycle/launch-chain.ts).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureRendererBuilt } from './host/ipc/renderer-build';
import { startWsTransport, type WsTransport } from './host/ipc/ws-transport';
import { DataFolderLockedError } from './host/lifecycle/data-folder-lock';
import { installExitHooks, type ExitHooks } from './host/lifecycle/process-exit-hooks';
import { createStudio } from './host/studio';
import { demoDataDir, demoOllamaServer, seedDemo } from './web-demo';

const repoRoot = resolve(__dirname, '..');

function say(line: string): void {
  process.stdout.write(line + '\n');
}

const USAGE = 'Usage: npm run studio:web [-- --demo] [-- --port N] [-- --data-dir DIR]';

class UsageError extends Error {}

const OPTIONS = {
  demo: { type: 'boolean', default: false },
  port: { type: 'string' },
  'data-dir': { type: 'string' },
} as const;

function readOptions() {
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];
  try {
    ({ values } = parseArgs({ options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${USAGE}`);
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be a TCP port number, got "${values.port}"\n${USAGE}`);
  return { demo: values.demo ?? false, port, dataDir: values['data-dir'] ? resolve(values['data-dir']) : undefined };
}

async function main(): Promise<void> {
  const options = readOptions();
  await ensureRendererBuilt(repoRoot, say);

  let transport: WsTransport | null = null;
  let hooks: ExitHooks | null = null;

  const demoServer = options.demo ? await demoOllamaServer() : null;
  const studio = await createStudio({
    mode: 'web',
    demo: options.demo,
    dataDir: options.dataDir ?? (options.demo ? demoDataDir() : undefined),
    requestQuit: (reason: string) => hooks?.quit(reason),
    ...(demoServer ? { ollamaUrl: demoServer.url, extraProviders: [demoServer] } : {}),
  });

  // After the coordinator: the page has received every shutdown event by now.
  const exit = (code: number) => {
    void (transport?.close() ?? Promise.resolve())
      .catch(() => undefined)
      .finally(() => {
        say(`NPC Studio stopped, exit code ${code}`);
        process.exit(code);
      });
  };
  hooks = installExitHooks({ coordinator: studio.coordinator, logger: studio.logger, exit });

  try {
    await studio.start();
  } catch (err) {
    process.stderr.write(`The studio could not start: ${(err as Error).stack ?? String(err)}\n`);
    hooks.quit('start-failed');
    return;
  }
  if (studio.coordinator.isRunning) return;
  if (options.demo) await seedDemo(studio, say);

  transport = await startWsTransport({
    router: studio.router,
    staticDir: resolve(repoRoot, 'dist', 'renderer'),
    port: options.port,
    logger: studio.logger,
  });
  say(`NPC Studio (web${options.demo ? ', demo' : ''}) is ready. Open:`);
  say(`  ${transport.url}`);
}

main().catch((err: unknown) => {
  // Another studio holds the data folder: one line naming it, exit 2, nothing in the folder touched.
  if (err instanceof DataFolderLockedError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(err.exitCode);
  }
  process.stderr.write(err instanceof UsageError ? `${err.message}\n` : `${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
