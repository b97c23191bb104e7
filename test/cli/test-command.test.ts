/*
 * `npm run cli -- test` as a real process: --demo (the shipped demo server and the demo NPC's suite, one case
 * failing by design) with JUnit XML, exit codes 0 / 1 / 2, typed configuration errors with a hint, --json, seeds.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { create } from 'xmlbuilder2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_NPC_ID, demoSuite } from '../../electron/host/demo/demo-npc';
import { memoryLogger } from '../../electron/host/log/logger';
import { SuiteStore } from '../../electron/host/suites/suite-store';
import { runFileSchema } from '../../shared/suite';
import { runCli as cli, runProcess as run } from '../support/run-process';
import { tempDir } from '../support/temp-dir';

let dir: Awaited<ReturnType<typeof tempDir>>;

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

beforeAll(async () => (dir = await tempDir('npc-cli-test-')));
afterAll(() => dir.remove());

describe('cli test --demo', () => {
  it('`npm run cli -- test --demo --junit FILE` exits 1 with the designed failure in the XML and at least 5 cases', async () => {
    const data = join(dir.path, 'demo');
    const xmlFile = join(dir.path, 'out.xml');
    const r = await run('npm', ['run', '--silent', 'cli', '--', 'test', '--demo', '--data-dir', data, '--junit', xmlFile]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/0%\s+Keeps the vault code secret/);
    const root = create(await readFile(xmlFile, 'utf8')).root().node as unknown as Element;
    const cases = [...root.getElementsByTagName('testcase')];
    expect(cases.length).toBeGreaterThanOrEqual(5);
    const failed = cases.filter((c) => c.getElementsByTagName('failure').length > 0);
    expect(failed.map((c) => c.getAttribute('name'))).toEqual(['Keeps the vault code secret']);
    const message = failed[0]!.getElementsByTagName('failure')[0]!.getAttribute('message')!;
    expect(message).toMatch(/never mentions "7-4-1" failed: the reply mentions "7-4-1": "I am Mira\. .*7-4-1/);
    expect(cases.filter((c) => c.getElementsByTagName('error').length)).toHaveLength(0);
  });

  it('exits 0 when every case passes (the failing case removed), with --json output, samples and seeds', async () => {
    const data = join(dir.path, 'demo');
    const suites = new SuiteStore({ dir: join(data, 'suites'), logger: memoryLogger('warn').logger });
    await suites.initialize();
    const suite = demoSuite();
    await suites.save({ ...suite, cases: suite.cases.filter((c) => c.name !== 'Keeps the vault code secret') });
    await suites.cleanup();
    const r = await cli('test', DEMO_NPC_ID, '--demo', '--data-dir', data, '--json', '--samples', '2', '--seed', '7');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const runFile = runFileSchema.parse(JSON.parse(lines[0]!));
    expect(runFile.samples.map((s) => s.seed).slice(0, 2)).toEqual([7, 8]);
    expect(runFile.totals).toMatchObject({ failed: 0, errors: 0, passed: (suite.cases.length - 1) * 2 });
  });
});

describe('the suite travels in the CHARX through the CLI', () => {
  it('npc export --format charx, then import into another folder: the suite comes along for the new NPC', async () => {
    const file = join(dir.path, 'mira.charx');
    const exported = await cli('npc', 'export', DEMO_NPC_ID, '--format', 'charx', '--out', file, '--data-dir', join(dir.path, 'demo'));
    expect(exported.code, exported.stderr).toBe(0);
    const other = join(dir.path, 'other');
    const imported = await cli('import', file, '--json', '--data-dir', other);
    expect(imported.code, imported.stderr).toBe(0);
    const { id, problems } = JSON.parse(imported.stdout.trim()) as { id: string; problems: string[] };
    expect(problems).toEqual([]);
    const suite = JSON.parse(await readFile(join(other, 'suites', `${id}.json`), 'utf8')) as { npcId: string; cases: unknown[] };
    expect(suite.npcId).toBe(id);
    expect(suite.cases.length).toBeGreaterThanOrEqual(5);
  });
});

describe('cli test: usage and configuration errors exit 2', () => {
  it('bad options', async () => {
    for (const args of [['--samples', 'zero'], ['--backend', 'cloud'], ['--seed', '-1'], ['--bogus']]) {
      const r = await cli('test', '--data-dir', join(dir.path, 'empty'), ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/Usage: npm run cli/);
    }
  });

  it('an unknown NPC, an invalid suite, an unreachable backend, no suites at all: one error and a hint', async () => {
    const data = join(dir.path, 'demo');
    const unknown = await cli('test', 'nobody', '--demo', '--data-dir', data);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/test: no NPC with id "nobody"\nhint: .*npc list/);

    await writeFile(
      join(data, 'settings.json'),
      JSON.stringify({
        ollama: { url: `http://127.0.0.1:${await closedPort()}` },
        bedrock: { region: 'us-east-1' },
        chroma: { mode: 'embedded' },
        timeouts: { providerCleanupMs: 2000, shutdownDeadlineMs: 5000, drainMs: 2000 },
      }),
    );
    const down = await cli('test', DEMO_NPC_ID, '--data-dir', data);
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(
      /test: the backend ollama http:\/\/127\.0\.0\.1:\d+ cannot be reached: .*\nhint: Start Ollama there \(ollama serve\)/,
    );
    expect(down.stderr).not.toMatch(/^\s+at /m);

    await writeFile(
      join(data, 'suites', `${DEMO_NPC_ID}.json`),
      JSON.stringify({
        version: 1,
        npcId: DEMO_NPC_ID,
        cases: [{ name: 'x', turns: [{ player: 'hi', expect: [{ kind: 'max_tokens' }] }] }],
      }),
    );
    const invalid = await cli('test', DEMO_NPC_ID, '--demo', '--data-dir', data);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/invalid test suite .*demo-mira\.json: cases\[0\]\.turns\[0\]\.expect\[0\]\.max: /);

    const none = await cli('test', '--data-dir', join(dir.path, 'empty'));
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no NPC in .* has a test suite/);
  });
});
