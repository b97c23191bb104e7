/* Work that a shutdown cuts short answers ShuttingDown (what the renderer shows as "the studio is closing"), not Internal. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OllamaTestServer } from '../../electron/host/demo/ollama';
import { eventually } from '../support/leaks';
import { startStudio, TEST_SENDER } from '../support/studio-rig';
import { tempDir } from '../support/temp-dir';

let dir: Awaited<ReturnType<typeof tempDir>>;
let ollama: OllamaTestServer;

beforeAll(async () => {
  dir = await tempDir('npc-cut-work-');
  ollama = new OllamaTestServer();
  await ollama.start();
});
afterAll(async () => {
  await ollama.stop();
  await dir.remove();
});

describe('work cut by shutdown', () => {
  it('an ingest whose embedding is aborted by the shutdown answers ShuttingDown', async () => {
    const { studio, call } = await startStudio(dir.path, { ollamaUrl: ollama.url });
    const npc = await call('npc.save', { card: { name: 'Ilsa' }, studio: { processor: 'local', model: 'llama3.2' } });
    ollama.set({ hang: true });
    const ingest = studio.router.call(
      'knowledge.ingest',
      { npcId: npc.id, source: 'keep.md', text: '# Keep\n\nThe keep has three towers.' },
      TEST_SENDER,
    );
    // The embed request has reached Ollama (which hangs on it): the ingest is in flight.
    await eventually(() => ollama.requests.some((r) => r.path === '/api/embed'), Boolean, 10_000);
    const report = studio.coordinator.run('signal SIGTERM');
    const answer = await ingest;
    await report;
    expect(answer).toMatchObject({ ok: false, error: { code: 'ShuttingDown' } });
    if (!answer.ok) expect(answer.error.message).toMatch(/shutting down/i);
  });
});
