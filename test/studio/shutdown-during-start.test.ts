/*
 * A shutdown (e.g. SIGTERM) that begins while the Chroma server child is still booting closes it through the
 * coordinator, in the resources step, and the report lists it; nothing is left for the host's exit to kill.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStudio } from '../../electron/host/studio';
import { descendantPids, pidAlive } from '../../electron/host/resources/proc';
import { testChromaLaunch } from '../support/chroma';
import { eventually } from '../support/leaks';
import { tempDir } from '../support/temp-dir';

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  dir = await tempDir('npc-shutdown-start-');
});
afterEach(async () => {
  await dir.remove();
});

describe('shutdown while the studio is starting', () => {
  it('closes a Chroma server that is still booting and lists it in the report', async () => {
    const launch = testChromaLaunch();
    const before = new Set(descendantPids());
    const studio = await createStudio({ mode: 'web', dataDir: dir.path, chromaLaunch: launch, requestQuit: () => undefined });
    const starting = studio.start();
    // The Chroma child is the one process the studio spawns: shut down as soon as it exists, while it boots.
    const spawned = await eventually(
      () => descendantPids().filter((pid) => !before.has(pid)),
      (pids) => pids.length > 0,
      30_000,
      2,
    );
    expect(spawned.length).toBeGreaterThan(0);

    const report = await studio.coordinator.run('signal SIGTERM');
    await starting;
    expect(report.providers.map((p) => p.id)).toContain('chroma-server');
    expect(report.providers.find((p) => p.id === 'chroma-server')).toMatchObject({ step: 'resources', outcome: 'ok' });
    for (const pid of spawned) expect(pidAlive(pid)).toBe(false);
    expect(report.exitCode).toBe(0);
  });
});
