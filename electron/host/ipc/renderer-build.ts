import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The newest modification time of any file under `dir`. */
export function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.isFile()) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** True when dist/renderer is missing or older than anything under renderer/ or shared/. */
export function rendererBuildStale(repoRoot: string): boolean {
  let built: number;
  try {
    built = statSync(join(repoRoot, 'dist', 'renderer', 'index.html')).mtimeMs;
  } catch {
    return true;
  }
  const sources = Math.max(newestMtime(join(repoRoot, 'renderer')), newestMtime(join(repoRoot, 'shared')));
  return sources > built;
}

/** Runs `vite build --mode web` when the built renderer is missing or stale. */
export async function ensureRendererBuilt(repoRoot: string, log: (line: string) => void): Promise<void> {
  if (!rendererBuildStale(repoRoot)) return;
  log('Building the renderer (vite build --mode web)...');
  const vite = join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [vite, 'build', '--mode', 'web', '--logLevel', 'warn'], { cwd: repoRoot, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  if (code !== 0) throw new Error(`The renderer build failed (vite exited with ${code}); run \`npm run build:web\` to see why`);
}
