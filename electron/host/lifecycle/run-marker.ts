/*
 * The run marker: <dataDir>/studio.running, written at start and removed once the shutdown report is written
 * and the log flushed. A start that finds it knows the previous run was killed or crashed. Its mtime is
 * refreshed every few seconds, so it dates the end of a run that logged nothing in its last minutes.
 */
import { open, readFile, stat, utimes } from 'node:fs/promises';
import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import type { UncleanExit } from '../../../shared/shutdown';

export const RUN_MARKER_FILE = 'studio.running';
/** How much of the end of the log is read for its last line. */
const LOG_TAIL_BYTES = 64 * 1024;
const HEARTBEAT_MS = 5000;

const markerSchema = z.object({ pid: z.number().int(), startedAt: z.string(), app: z.string() });
type Marker = z.infer<typeof markerSchema>;

export function runMarkerPath(dataDir: string): string {
  return join(dataDir, RUN_MARKER_FILE);
}

/** The previous run's unclean end, if its marker is still there; call before this run's logger opens the log. */
export async function previousUncleanExit(dataDir: string, logFile: string): Promise<UncleanExit | null> {
  const file = runMarkerPath(dataDir);
  let markerTime: Date;
  let marker: Marker | null = null;
  try {
    markerTime = (await stat(file)).mtime;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const parsed = markerSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    if (parsed.success) marker = parsed.data;
  } catch {
    // A marker cut by the kill still says the run did not end cleanly.
  }
  const logTime = await lastLogLineTime(logFile);
  // Whichever is later: the last log line, or the marker's last heartbeat (a log line older than it tells of an earlier moment).
  const fromLog = logTime !== null && logTime.getTime() >= markerTime.getTime();
  const at = fromLog ? logTime : markerTime;
  return {
    message: `NPC Studio ended without a clean shutdown at about ${localTime(at)}`,
    endedAbout: at.toISOString(),
    from: fromLog ? 'log' : 'marker',
    pid: marker?.pid ?? 0,
    startedAt: marker?.startedAt ?? markerTime.toISOString(),
  };
}

export interface RunMarker {
  /** Stops the heartbeat and removes the marker. Synchronous: runs in the shutdown's last step, right before exit. */
  end(): void;
}

export async function writeRunMarker(dataDir: string, app: string, heartbeatMs = HEARTBEAT_MS): Promise<RunMarker> {
  const file = runMarkerPath(dataDir);
  const marker: Marker = { pid: process.pid, startedAt: new Date().toISOString(), app };
  await writeFileAtomic(file, JSON.stringify(marker) + '\n');
  const beat = setInterval(() => {
    const now = new Date();
    utimes(file, now, now).catch(() => undefined);
  }, heartbeatMs);
  beat.unref();
  return {
    end: () => {
      clearInterval(beat);
      try {
        unlinkSync(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    },
  };
}

/** The time of the last JSON line (pino's `time`, ms since the epoch) in the log, or null. */
export async function lastLogLineTime(logFile: string): Promise<Date | null> {
  let text: string;
  try {
    const handle = await open(logFile, 'r');
    try {
      const { size } = await handle.stat();
      const start = Math.max(0, size - LOG_TAIL_BYTES);
      const buffer = Buffer.alloc(size - start);
      await handle.read(buffer, 0, buffer.length, start);
      text = buffer.toString('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return null;
  }
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const time = (JSON.parse(lines[i]!) as { time?: unknown }).time;
      if (typeof time === 'number' && Number.isFinite(time)) return new Date(time);
    } catch {
      // A line torn by the kill, or the partial first line of the tail: look further up.
    }
  }
  return null;
}

function localTime(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} on ${date}`;
}
