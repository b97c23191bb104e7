import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rendererBuildStale } from '../../electron/host/ipc/renderer-build';
import { tempDir } from '../support/temp-dir';

let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
afterEach(async () => dir?.remove());

async function touch(path: string, secondsAgo: number): Promise<void> {
  await writeFile(path, 'x');
  const t = new Date(Date.now() - secondsAgo * 1000);
  await utimes(path, t, t);
}

describe('rendererBuildStale (npm run studio:web builds first when needed)', () => {
  it('is stale without a build, fresh after one, stale again when a renderer or shared file changes', async () => {
    dir = await tempDir();
    const root = dir.path;
    await mkdir(join(root, 'renderer', 'src'), { recursive: true });
    await mkdir(join(root, 'shared'));
    await touch(join(root, 'renderer', 'src', 'App.tsx'), 60);
    await touch(join(root, 'shared', 'contract.ts'), 60);
    expect(rendererBuildStale(root)).toBe(true);

    await mkdir(join(root, 'dist', 'renderer'), { recursive: true });
    await touch(join(root, 'dist', 'renderer', 'index.html'), 30);
    expect(rendererBuildStale(root)).toBe(false);

    await touch(join(root, 'shared', 'contract.ts'), 0);
    expect(rendererBuildStale(root)).toBe(true);
    await touch(join(root, 'shared', 'contract.ts'), 60);
    await touch(join(root, 'renderer', 'src', 'App.tsx'), 0);
    expect(rendererBuildStale(root)).toBe(true);
  });
});
