import type { HealthSnapshot, ProviderHealth } from '../../shared/health';
import type { NpcSummary } from '../../shared/npc';
import { titleOf } from './figure-labels';

export type BannerTab = 'settings' | 'resources';

export interface BackendBanner {
  providerId: string;
  level: 'error' | 'warn';
  title: string;
  message: string;
  /** Shown only when it adds to the message (never the same words twice). */
  hint?: string;
  /** The one thing to do, as a button that opens the panel holding the control. */
  action: { label: string; tab: BannerTab };
}

const HOSTED = new Set(['bedrock', 'hosted-processor']);

/** Whether anything the designer set up needs this provider. */
function inUse(p: ProviderHealth, npcs: readonly NpcSummary[], demo: boolean): boolean {
  // Bedrock matters only to a designer with a hosted NPC, and never in the demo (it has no credentials by design).
  if (HOSTED.has(p.id)) return !demo && npcs.some((n) => n.processor === 'hosted');
  // Ollama also embeds every NPC's lore, and Chroma stores it: both are always in use.
  return true;
}

function actionFor(p: ProviderHealth): BackendBanner['action'] {
  if (p.id === 'ollama-client') return { label: 'Check the Ollama URL in Settings', tab: 'settings' };
  if (p.id === 'bedrock') return { label: 'Open the Bedrock settings', tab: 'settings' };
  if (p.id === 'hosted-processor' && /budget/i.test(p.lastError ?? ''))
    return { label: 'Open the budget cap in Settings', tab: 'settings' };
  if (p.id === 'chroma-server' && /launch prefix/i.test(p.hint ?? ''))
    return { label: 'Set the launch prefix in Settings', tab: 'settings' };
  return { label: 'See it in Resources', tab: 'resources' };
}

/**
 * One banner per backend problem the designer can act on: only providers in use, only the root cause (a
 * processor degraded because its client is down gets no banner of its own), one action each.
 */
export function backendBanners(snapshot: HealthSnapshot | null, npcs: readonly NpcSummary[], demo: boolean): BackendBanner[] {
  return (snapshot ?? [])
    .filter((p) => p.status === 'unhealthy' || (p.status === 'degraded' && (p.hint || p.lastError)))
    .filter((p) => !p.dependsOnDown && inUse(p, npcs, demo))
    .map((p) => {
      const message = p.lastError ?? (p.status === 'unhealthy' ? 'not reachable' : 'degraded');
      const hint = p.hint && !message.includes(p.hint) ? p.hint : undefined;
      return {
        providerId: p.id,
        level: p.status === 'unhealthy' ? 'error' : 'warn',
        title: titleOf(p.id),
        message,
        ...(hint ? { hint } : {}),
        action: actionFor(p),
      };
    });
}
