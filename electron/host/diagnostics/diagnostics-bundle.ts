import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import yazl from 'yazl';
import type { HealthSnapshot } from '../../../shared/health';
import { SHUTDOWN_REPORT_FILE } from '../lifecycle/shutdown-report';
import { RUN_MARKER_FILE } from '../lifecycle/run-marker';
import { dataPaths } from '../studio-paths';

/** How much of the log's end goes in (whole lines). */
export const LOG_TAIL_BYTES = 512 * 1024;

export interface DiagnosticsInput {
  dataDir: string;
  /** The live snapshot (the studio), or what the CLI could check by itself. */
  health: HealthSnapshot;
  about: Record<string, unknown>;
  now?: Date;
}

/** Settings as they are, minus what could be a secret: user and password in URLs, and their query strings. */
export function redactSettings(value: unknown): unknown {
  if (typeof value === 'string') return redactUrl(value);
  if (Array.isArray(value)) return value.map(redactSettings);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, /secret|password|token|key$|credential/i.test(k) ? '(removed)' : redactSettings(v)]),
    );
  }
  return value;
}

function redactUrl(text: string): string {
  if (!/^https?:\/\//i.test(text)) return text;
  try {
    const url = new URL(text);
    if (url.username) url.username = 'removed';
    if (url.password) url.password = 'removed';
    if (url.search) url.search = '?(removed)';
    return url.toString();
  } catch {
    return text;
  }
}

async function tail(file: string, bytes: number): Promise<string> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return '(no log file)\n';
  }
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - bytes);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    const text = buffer.toString('utf8');
    return start > 0 ? text.slice(text.indexOf('\n') + 1) : text;
  } finally {
    await handle.close();
  }
}

async function textOr(file: string, missing: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return missing;
  }
}

/**
 * A zip for a bug report: README.txt, about.json, health.json, shutdown-report.json (and the run marker of a run
 * that did not end cleanly), log-tail.log, settings.json without secrets. Nothing else of the data folder.
 */
export async function diagnosticsZip(input: DiagnosticsInput): Promise<Buffer> {
  const { dataDir } = input;
  const now = input.now ?? new Date();
  const settingsText = await textOr(join(dataDir, 'settings.json'), '');
  let settings: unknown = '(no settings.json: the studio ran on its defaults)';
  if (settingsText) {
    try {
      settings = redactSettings(JSON.parse(settingsText));
    } catch (err) {
      settings = `(settings.json is not valid JSON: ${(err as Error).message}; not included)`;
    }
  }
  const files: [string, string][] = [
    ['README.txt', readme(now)],
    ['about.json', JSON.stringify({ createdAt: now.toISOString(), dataDir, ...input.about }, null, 2)],
    ['health.json', JSON.stringify(input.health, null, 2)],
    ['shutdown-report.json', await textOr(join(dataDir, SHUTDOWN_REPORT_FILE), '"(no shutdown report yet)"')],
    ['log-tail.log', await tail(dataPaths(dataDir).logFile, LOG_TAIL_BYTES)],
    ['settings.json', JSON.stringify(settings, null, 2)],
  ];
  const marker = await textOr(join(dataDir, RUN_MARKER_FILE), '');
  if (marker) files.push(['run-marker.json', marker]);
  const zip = new yazl.ZipFile();
  for (const [name, text] of files) zip.addBuffer(Buffer.from(text, 'utf8'), name, { mtime: now });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

export function diagnosticsFileName(now: Date = new Date()): string {
  return `npc-studio-diagnostics-${now.toISOString().replace(/[:.]/g, '-')}.zip`;
}

function readme(now: Date): string {
  return [
    `NPC Studio diagnostics, ${now.toISOString()}`,
    '',
    'about.json            the app, its version, the platform',
    'health.json           every service as the Resources panel showed it',
    'shutdown-report.json  how the last quit went',
    'log-tail.log          the end of the studio log',
    'settings.json         the settings, with passwords and URL queries removed',
    'run-marker.json       present when the last run did not end cleanly',
    '',
    'No NPC, conversation or lore is included.',
    '',
  ].join('\n');
}
