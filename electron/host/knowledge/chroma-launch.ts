import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parentWatchBootstrap } from './parent-watch';

/** How the Chroma server child is started; every part can be set in settings. */
export interface ChromaLaunch {
  /**
   * Placed before the node binary, e.g. a newer glibc loader on Debian 12:
   * ["<cache>/ld-linux-x86-64.so.2", "--library-path", "<cache>:/lib/x86_64-linux-gnu:..."].
   */
  prefix?: string[];
  /** The Node binary that runs the chromadb CLI; defaults to this process's (Electron runs it as Node). */
  node?: string;
  /** The chromadb package's CLI (dist/cli.mjs); defaults to the installed package's. */
  cliPath?: string;
  /**
   * End the server when the host dies without closing it (SIGKILL, a crash). On Linux the server runs under
   * `setpriv --pdeathsig KILL`: the kernel kills it the moment the host dies. Where that is not available (macOS,
   * Windows, a Linux without setpriv) the server's Node process watches its host and stops itself (parent-watch.ts).
   * Default: on.
   */
  dieWithParent?: boolean;
  /** Use setpriv's pdeathsig where it exists (default on); off models macOS and Windows: the watch is used instead. */
  parentDeathSignal?: boolean;
  env?: Record<string, string>;
}

export interface ChromaCommand {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

const SETPRIV = '/usr/bin/setpriv';

export function chromaCliPath(): string {
  const require = createRequire(import.meta.url);
  // The package exports only its entry points; the CLI sits next to them in dist/.
  const entry = require.resolve('chromadb');
  const cli = join(dirname(entry), entry.includes(`${join('dist', 'cjs')}`) ? '..' : '.', 'cli.mjs');
  if (!existsSync(cli)) throw new Error(`the chromadb CLI was not found at ${cli}`);
  return cli;
}

export function chromaCommand(launch: ChromaLaunch, dataDir: string, host: string, port: number): ChromaCommand {
  const node = launch.node ?? process.execPath;
  const cli = launch.cliPath ?? chromaCliPath();
  const dieWithParent = launch.dieWithParent ?? true;
  const deathSignal = dieWithParent && (launch.parentDeathSignal ?? true) && process.platform === 'linux' && existsSync(SETPRIV);
  // One mechanism per platform: with pdeathsig the kernel's SIGKILL always comes first, so a watch thread would
  // only cost the server memory and a slower exit (its worker is torn down on every stop).
  const nodeArgs = dieWithParent && !deathSignal ? ['-e', parentWatchBootstrap(process.pid)] : [];
  const argv = [...(launch.prefix ?? []), node, ...nodeArgs, cli, 'run', '--path', dataDir, '--host', host, '--port', String(port)];
  if (deathSignal) argv.unshift(SETPRIV, '--pdeathsig', 'KILL');
  const [command, ...args] = argv as [string, ...string[]];
  return {
    command,
    args,
    env: {
      ...process.env,
      // process.execPath is Electron's binary inside the app: make it behave as plain Node.
      ELECTRON_RUN_AS_NODE: '1',
      NO_COLOR: '1',
      ANONYMIZED_TELEMETRY: 'False',
      ...launch.env,
    },
  };
}

/**
 * The launch prefix prepared by scripts/prepare-chroma-loader.sh in `cacheDir`, or undefined when it is
 * not there. Never downloads anything; the script does.
 */
export function preparedLoaderPrefix(cacheDir: string): string[] | undefined {
  const libdir = join(cacheDir, 'root', 'usr', 'lib', 'x86_64-linux-gnu');
  const loader = join(libdir, 'ld-linux-x86-64.so.2');
  if (!existsSync(join(cacheDir, '.ready')) || !existsSync(loader)) return undefined;
  return [loader, '--library-path', `${libdir}:/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu`];
}
