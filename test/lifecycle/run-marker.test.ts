/*
 * The run marker (issue G item 4): a start that finds the previous run's marker reports its unclean end, dated
 * by the later of the log's last line and the marker's heartbeat; a clean end removes it.
 */
import { existsSync } from 'node:fs';
import { appendFile, mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { previousUncleanExit, runMarkerPath, writeRunMarker } from '../../electron/host/lifecycle/run-marker';
import { tempDir } from '../support/temp-dir';

let dir: Awaited<ReturnType<typeof tempDir>>;
let logFile: string;

beforeEach(async () => {
  dir = await tempDir('npc-marker-');
  logFile = join(dir.path, 'logs', 'studio.log');
  await mkdir(join(dir.path, 'logs'));
});
afterEach(async () => {
  await dir.remove();
});

const two = (n: number) => String(n).padStart(2, '0');
const line = (time: number, msg: string) => `${JSON.stringify({ level: 30, time, msg })}\n`;

describe('the run marker', () => {
  it('is nothing to report after a clean end', async () => {
    const marker = await writeRunMarker(dir.path, 'web');
    expect(existsSync(runMarkerPath(dir.path))).toBe(true);
    marker.end();
    expect(existsSync(runMarkerPath(dir.path))).toBe(false);
    expect(await previousUncleanExit(dir.path, logFile)).toBeNull();
  });

  it("reports an unclean end at the time of the run's last log line (a torn last line skipped)", async () => {
    const started = Date.now() - 60_000;
    await writeRunMarker(dir.path, 'web', 3_600_000); // never ended: left behind, as by a kill
    await utimes(runMarkerPath(dir.path), new Date(started), new Date(started));
    const last = started + 42_000;
    await appendFile(
      logFile,
      line(started - 86_400_000, 'an earlier run') + line(started + 1000, 'starting') + line(last, 'a reply streamed') + '{"level":30,"ti',
    );
    const unclean = await previousUncleanExit(dir.path, logFile);
    expect(unclean).toMatchObject({ from: 'log', endedAbout: new Date(last).toISOString(), pid: process.pid });
    const d = new Date(last);
    const hhmmss = [d.getHours(), d.getMinutes(), d.getSeconds()].map(two).join(':');
    const day = [d.getFullYear(), d.getMonth() + 1, d.getDate()].map(two).join('-');
    expect(unclean!.message).toBe(`NPC Studio ended without a clean shutdown at about ${hhmmss} on ${day}`);
  });

  it("falls back to the marker's heartbeat when the log is older, missing or unreadable", async () => {
    await writeFile(runMarkerPath(dir.path), '{"pid":12'); // cut by the kill
    const beat = new Date(Date.now() - 5000);
    await utimes(runMarkerPath(dir.path), beat, beat);
    expect(await previousUncleanExit(dir.path, logFile)).toMatchObject({ from: 'marker', endedAbout: beat.toISOString(), pid: 0 });
    await appendFile(logFile, line(beat.getTime() - 3_600_000, 'an earlier run'));
    expect(await previousUncleanExit(dir.path, logFile)).toMatchObject({ from: 'marker', endedAbout: beat.toISOString() });
  });

  it('keeps its heartbeat going while the run lives', async () => {
    const marker = await writeRunMarker(dir.path, 'web', 30);
    const old = new Date(Date.now() - 60_000);
    await utimes(runMarkerPath(dir.path), old, old);
    await new Promise((r) => setTimeout(r, 150));
    const unclean = await previousUncleanExit(dir.path, logFile);
    expect(Date.parse(unclean!.endedAbout)).toBeGreaterThan(Date.now() - 2000);
    marker.end();
  });
});
