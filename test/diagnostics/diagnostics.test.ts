import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import yauzl from 'yauzl';
import { afterEach, describe, expect, it } from 'vitest';
import { diagnosticsZip, LOG_TAIL_BYTES, redactSettings } from '../../electron/host/diagnostics/diagnostics-bundle';
import { runCli } from '../support/run-process';
import { tempDir } from '../support/temp-dir';

let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
afterEach(async () => {
  await dir?.remove();
  dir = undefined;
});

async function unzip(buffer: Buffer): Promise<Record<string, string>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(buffer, { lazyEntries: true }, (err, z) => (err ? reject(err) : resolve(z!))),
  );
  const files: Record<string, string> = {};
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        stream!.on('data', (c: Buffer) => chunks.push(c));
        stream!.on('end', () => {
          files[entry.fileName] = Buffer.concat(chunks).toString('utf8');
          zip.readEntry();
        });
      });
    });
    zip.on('end', resolve);
    zip.on('error', reject);
    zip.readEntry();
  });
  return files;
}

const SETTINGS = {
  ollama: { url: 'http://127.0.0.1:1' },
  bedrock: { region: 'us-east-1', endpoint: 'http://alice:s3cret@bedrock.local:9/x?X-Amz-Security-Token=abc' },
  chroma: { mode: 'embedded' },
  timeouts: { providerCleanupMs: 2000, shutdownDeadlineMs: 5000, drainMs: 2000 },
};

async function folder(): Promise<string> {
  dir = await tempDir('diagnostics');
  const dataDir = dir.path;
  await mkdir(join(dataDir, 'logs'), { recursive: true });
  await writeFile(join(dataDir, 'settings.json'), JSON.stringify(SETTINGS));
  const line = (i: number) => `{"level":30,"msg":"line ${i}"}\n`;
  await writeFile(join(dataDir, 'logs', 'studio.log'), Array.from({ length: 20_000 }, (_, i) => line(i)).join(''));
  await writeFile(join(dataDir, 'shutdown-report.json'), JSON.stringify({ exitCode: 0, reason: 'quit' }));
  return dataDir;
}

describe('diagnostics bundle', () => {
  it('zips health, the shutdown report, the log tail and settings without secrets', async () => {
    const dataDir = await folder();
    const health = [
      {
        id: 'ollama-client',
        kind: 'ollama-client',
        phase: 'clients' as const,
        status: 'unhealthy' as const,
        resources: {},
        checkedAt: 'now',
      },
    ];
    const files = await unzip(await diagnosticsZip({ dataDir, health, about: { version: '1.2.3' } }));
    expect(Object.keys(files).sort()).toEqual([
      'README.txt',
      'about.json',
      'health.json',
      'log-tail.log',
      'settings.json',
      'shutdown-report.json',
    ]);
    expect(JSON.parse(files['health.json']!)).toEqual(health);
    expect(JSON.parse(files['shutdown-report.json']!)).toEqual({ exitCode: 0, reason: 'quit' });
    expect(JSON.parse(files['about.json']!)).toMatchObject({ version: '1.2.3', dataDir });
    const settings = files['settings.json']!;
    expect(settings).not.toContain('s3cret');
    expect(settings).not.toContain('alice');
    expect(settings).not.toContain('abc');
    expect(JSON.parse(settings).bedrock.endpoint).toBe('http://removed:removed@bedrock.local:9/x?(removed)');
    const log = files['log-tail.log']!;
    expect(Buffer.byteLength(log)).toBeLessThanOrEqual(LOG_TAIL_BYTES);
    expect(log.startsWith('{"level":30')).toBe(true);
    expect(log.trimEnd().endsWith('"line 19999"}')).toBe(true);
  });

  it('redacts keys that name secrets', () => {
    expect(redactSettings({ apiKey: 'x', nested: { password: 'y', region: 'eu-west-1' } })).toEqual({
      apiKey: '(removed)',
      nested: { password: '(removed)', region: 'eu-west-1' },
    });
  });

  it('npm run cli -- diagnostics --out FILE writes the zip (Ollama down is in its health)', async () => {
    const dataDir = await folder();
    const out = join(dataDir, 'bundle.zip');
    const { code, stdout, stderr } = await runCli('diagnostics', '--out', out, '--data-dir', dataDir);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain(`Wrote diagnostics to ${out}`);
    const files = await unzip(await readFile(out));
    const health = JSON.parse(files['health.json']!) as { id: string; status: string }[];
    expect(health.find((h) => h.id === 'ollama-client')).toMatchObject({ status: 'unhealthy' });
    expect(files['settings.json']).not.toContain('s3cret');
  });
});
