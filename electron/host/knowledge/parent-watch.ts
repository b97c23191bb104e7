/**
 * The Chroma server's own watch on the studio host that started it: the portable twin of Linux's pdeathsig.
 * The chromadb CLI runs inside a Node process, so that process can notice its host is gone (a host killed with
 * SIGKILL, on macOS and Windows too) and stop itself: SIGINT first (Chroma's graceful stop), SIGKILL to its
 * process group (or itself) after a grace.
 *
 * The host is gone when the process's parent pid changed (POSIX re-parents an orphan) or the host's pid no longer
 * exists (Windows does not re-parent; there a pid reused within one poll would go unnoticed until it ends too).
 *
 * The CLI's native binding serves on the main thread and never yields to JS timers, so the watch runs in a worker
 * thread. It is started by inline code (`node -e`), so nothing has to ship next to the bundled main process, and it
 * is plain JavaScript in a string, so neither a bundler nor tsx rewrites it; the tests evaluate this same string.
 */

export const PARENT_POLL_MS = 300;
/** From SIGINT (Chroma exits on it in ~50 ms) to SIGKILL, for a server that does not stop. */
export const PARENT_GONE_GRACE_MS = 2000;

/** What the watch asks of the process it runs in; the tests inject their own. */
export interface ParentWatchProbe {
  /** The process's parent pid right now. */
  parentPid(): number;
  alive(pid: number): boolean;
  /** SIGINT to itself: Chroma's graceful stop. */
  interrupt(): void;
  /** SIGKILL to its process group, or itself. */
  kill(): void;
}

/** Calls the watch `(startParent, hostPid, probe, pollMs, graceMs) => stop`; returns a function that ends it. */
export type WatchParent = (startParent: number, hostPid: number, probe: ParentWatchProbe, pollMs: number, graceMs: number) => () => void;

/** Source of a `WatchParent` function (timers: the global setInterval and setTimeout). */
export const WATCH_PARENT_SOURCE = `function watchParent(startParent, hostPid, probe, pollMs, graceMs) {
  let graceTimer = null;
  const timer = setInterval(() => {
    if (probe.parentPid() === startParent && probe.alive(hostPid)) return;
    clearInterval(timer);
    probe.interrupt();
    graceTimer = setTimeout(() => probe.kill(), graceMs);
  }, pollMs);
  return () => {
    clearInterval(timer);
    if (graceTimer) clearTimeout(graceTimer);
  };
}`;

/** The probe of a real process, as source for the worker thread. */
const REAL_PROBE_SOURCE = `{
  parentPid: () => process.ppid,
  alive: (pid) => {
    try { process.kill(pid, 0); return true; } catch (err) { return err.code === 'EPERM'; }
  },
  interrupt: () => process.kill(process.pid, 'SIGINT'),
  kill: () => {
    try { process.kill(-process.pid, 'SIGKILL'); } catch { process.kill(process.pid, 'SIGKILL'); }
  },
}`;

/**
 * The `node -e` code that starts the watch and then loads the CLI given as its first argument. With `-e`,
 * process.argv is [node, cli, ...args]: exactly what the CLI would see if run as `node cli ...args`.
 * The worker keeps running (its timer is ref'd) but is unref'd itself, so it never holds the process open.
 */
export function parentWatchBootstrap(hostPid: number, pollMs = PARENT_POLL_MS, graceMs = PARENT_GONE_GRACE_MS): string {
  const worker = `const { workerData } = require('node:worker_threads');
(${WATCH_PARENT_SOURCE})(workerData.startParent, workerData.hostPid, ${REAL_PROBE_SOURCE}, workerData.pollMs, workerData.graceMs);`;
  const data = `{ startParent: process.ppid, hostPid: ${hostPid}, pollMs: ${pollMs}, graceMs: ${graceMs} }`;
  return [
    `new (require('node:worker_threads').Worker)(${JSON.stringify(worker)}, { eval: true, workerData: ${data} }).unref();`,
    `import(require('node:url').pathToFileURL(process.argv[1]).href);`,
  ].join('\n');
}
