import { join } from 'node:path';
import { ChromaServer, type ChromaServerOptions } from '../../../electron/host/knowledge/chroma-server';
import { memoryLogger } from '../../../electron/host/log/logger';
import { pidAlive, socketsToPort } from '../../../electron/host/resources/proc';
import { testChromaLaunch } from '../../support/chroma';
import { eventually } from '../../support/leaks';
import { filesUnder, type Held, type RigInstance } from './rig';

export const kind = 'chroma-server';
export const capabilities = { server: true, stream: false };

/**
 * The embedded Chroma server as the studio runs it (a short SIGTERM grace: Chroma 1.x ignores SIGTERM, and the
 * cycles start and stop hundreds of them), with what a rig needs to watch it: every pid it was
 * seen running under (it restarts a server that died), and a way to kill its process from outside.
 */
export function watchedChroma(dir: string, options: Partial<ChromaServerOptions> = {}) {
  const server = new ChromaServer({
    dataDir: join(dir, 'chroma'),
    logger: memoryLogger().logger,
    launch: testChromaLaunch(),
    stopGraceMs: 100,
    ...options,
  });
  const pids = new Set<number>();
  let port: number | null = null;
  const note = () => {
    if (server.pid !== null) pids.add(server.pid);
    try {
      port ??= Number(new URL(server.url()).port);
    } catch {
      /* not running */
    }
  };
  return {
    server,
    note,
    /** SIGKILL from outside, as if the server crashed; resolves once the process is gone. */
    async kill(): Promise<void> {
      note();
      const pid = server.pid;
      if (pid === null) throw new Error('the Chroma server has no process to kill');
      process.kill(pid, 'SIGKILL');
      await eventually(
        () => pidAlive(pid),
        (alive) => !alive,
        5000,
      );
    },
    held(): Held {
      note();
      return { sockets: port === null ? 0 : socketsToPort(port), files: filesUnder(dir), pids: [...pids].filter(pidAlive) };
    },
  };
}

/** The Chroma server child process; one use is a health check (a real heartbeat over HTTP). */
export async function create(dir: string): Promise<RigInstance> {
  const chroma = watchedChroma(dir);
  return {
    provider: chroma.server,
    companions: [],
    async use() {
      chroma.note();
      const health = await chroma.server.healthCheck();
      if (health.status !== 'healthy') throw new Error(`the Chroma server is ${health.status}: ${health.lastError ?? ''}`);
    },
    killServer: () => chroma.kill(),
    held: () => chroma.held(),
    dispose: () => chroma.server.cleanup(),
  };
}
