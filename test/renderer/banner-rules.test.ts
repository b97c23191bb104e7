import { describe, expect, it } from 'vitest';
import type { ProviderHealth } from '../../shared/health';
import type { NpcSummary } from '../../shared/npc';
import { backendBanners } from '../../renderer/src/banner-rules';

const card = (id: string, status: ProviderHealth['status'], extra: Partial<ProviderHealth> = {}): ProviderHealth => ({
  id,
  kind: id,
  phase: 'clients',
  status,
  resources: {},
  checkedAt: '',
  ...extra,
});
const npc = (processor: 'local' | 'hosted'): NpcSummary => ({
  id: processor,
  name: processor,
  tags: [],
  processor,
  model: 'm',
  updatedAt: '',
  hasArt: false,
});
const noCredentials = card('bedrock', 'degraded', { lastError: 'no AWS credentials found', hint: 'Set a region and AWS credentials' });

describe('backend banners', () => {
  it('no Bedrock banner for a designer who only chats locally, nor in the demo', () => {
    expect(backendBanners([noCredentials], [npc('local')], false)).toEqual([]);
    expect(backendBanners([noCredentials], [npc('hosted')], true)).toEqual([]);
    const [shown] = backendBanners([noCredentials], [npc('hosted')], false);
    expect(shown).toMatchObject({ providerId: 'bedrock', level: 'warn', action: { tab: 'settings' } });
  });

  it('one banner for the root cause, the hint once, one action that opens a real control', () => {
    const banners = backendBanners(
      [
        card('ollama-client', 'unhealthy', {
          lastError: 'Ollama is not running at http://127.0.0.1:1. Start it with `ollama serve`.',
          hint: 'Start it with `ollama serve`.',
        }),
        card('local-processor', 'degraded', { dependsOnDown: 'ollama-client', lastError: 'needs ollama-client', hint: 'Start it' }),
      ],
      [npc('local')],
      false,
    );
    expect(banners).toHaveLength(1);
    expect(banners[0]).toMatchObject({
      providerId: 'ollama-client',
      level: 'error',
      title: 'Ollama connection',
      action: { label: 'Check the Ollama URL in Settings', tab: 'settings' },
    });
    expect(banners[0]).not.toHaveProperty('hint');
  });

  it('the glibc hint points to the launch prefix field in Settings', () => {
    const [b] = backendBanners(
      [
        card('chroma-server', 'unhealthy', {
          lastError: 'did not start',
          hint: 'set the printed launch prefix in Settings → Chroma → Launch prefix',
        }),
      ],
      [],
      false,
    );
    expect(b!.action).toEqual({ label: 'Set the launch prefix in Settings', tab: 'settings' });
  });
});
