import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/** Runs a TypeScript entry in a child process of the same Node (24 under npm scripts), in-process via tsx. */
export function spawnTs(entry: string, args: string[] = [], options: SpawnOptions = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', entry, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...options });
}

/** Resolves with the first stdout line that starts with `prefix` (the rest, parsed as JSON). */
export function waitForLine<T>(child: ChildProcess, prefix: string, ms = 20_000): Promise<T> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`no "${prefix}" line within ${ms} ms; stderr: ${stderr}`)), ms);
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout?.on('data', (d: Buffer) => {
      buffer += d.toString();
      for (const line of buffer.split('\n')) {
        if (line.startsWith(prefix)) {
          clearTimeout(timer);
          resolve(JSON.parse(line.slice(prefix.length)) as T);
        }
      }
    });
    // 'close', not 'exit': stdout may still deliver lines after the process has exited.
    child.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before "${prefix}"; stderr: ${stderr}`));
    });
  });
}

export function waitForExit(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}
