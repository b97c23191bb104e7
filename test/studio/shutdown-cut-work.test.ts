/* Work that a shutdown cuts short answers ShuttingDown (what the renderer shows as "the studio is closing"), not Internal. */
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/leaks';
import { startStudio, TEST_SENDER } from '../support/studio-rig';
import { useTempDirAndOllama } from '../support/studio-fixtures';

const fixtures = useTempDirAndOllama('npc-cut-work-');

describe('work cut by shutdown', () => {
  it('an ingest whose embedding is aborted by the shutdown answers ShuttingDown', async () => {
    const { studio, call } = await startStudio(fixtures.dir.path, { ollamaUrl: fixtures.ollama.url });
    const npc = await call('npc.save', { card: { name: 'Ilsa' }, studio: { processor: 'local', model: 'llama3.2' } });
    fixtures.ollama.set({ hang: true });
    const ingest = studio.router.call(
      'knowledge.ingest',
      { npcId: npc.id, source: 'keep.md', text: '# Keep\n\nThe keep has three towers.' },
      TEST_SENDER,
    );
    // The embed request has reached Ollama (which hangs on it): the ingest is in flight.
    await eventually(() => fixtures.ollama.requests.some((r) => r.path === '/api/embed'), Boolean, 10_000);
    const report = studio.coordinator.run('signal SIGTERM');
    const answer = await ingest;
    await report;
    expect(answer).toMatchObject({ ok: false, error: { code: 'ShuttingDown' } });
    if (!answer.ok) expect(answer.error.message).toMatch(/shutting down/i);
  });

  it('an impersonation the shutdown aborts answers ShuttingDown, not stopped', async () => {
    const { studio, call } = await startStudio(fixtures.dir.path, { ollamaUrl: fixtures.ollama.url });
    const npc = await call('npc.save', { card: { name: 'Ilsa', first_mes: 'Hello.' }, studio: { processor: 'local', model: 'llama3.2' } });
    fixtures.ollama.set({ hang: true });
    const drafting = studio.router.call('chat.impersonate', { npcId: npc.id }, TEST_SENDER);
    await eventually(() => fixtures.ollama.requests.some((r) => r.path === '/api/chat'), Boolean, 10_000);
    const report = studio.coordinator.run('signal SIGTERM');
    const answer = await drafting;
    await report;
    expect(answer).toMatchObject({ ok: false, error: { code: 'ShuttingDown' } });
  });
});
