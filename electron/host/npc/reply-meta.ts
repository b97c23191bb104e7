import type { ReplyMeta, Usage } from '../../../shared/chat';
import { errorMessage } from '../../../shared/errors';
import type { Npc } from '../../../shared/npc';
import type { ResolvedPersona } from './persona-store';
import type { AssembledPrompt } from './prompt/assemble';

/**
 * What is kept with a reply for the UI (ipc/handlers/transcript-turns.ts reads it): processor, model, usage, the
 * error or why it was interrupted, what the prompt used (lorebook entries, chunks with sources, token estimate
 * per part) and the parts of the prompt that are not in the transcript already, for the prompt inspector.
 */
export function replyMeta(
  npc: Npc,
  prompt: AssembledPrompt | undefined,
  usage: Usage | undefined,
  failure: unknown,
  interruption: unknown,
  persona?: ResolvedPersona,
): ReplyMeta {
  return {
    processor: npc.studio.processor,
    model: npc.studio.model,
    ...(usage ? { usage } : {}),
    ...(failure ? { error: errorMessage(failure) } : {}),
    ...(interruption !== undefined ? { interruptedBy: errorMessage(interruption) } : {}),
    ...(prompt ? { used: prompt.used, sent: prompt.sent } : {}),
    ...(persona?.personaId ? { personaId: persona.personaId } : {}),
  };
}

/** A processor's usage as the studio keeps it: durations to the microsecond (what the UI shows and the transcript stores). */
export function keptUsage(usage: Usage): Usage {
  const out = { ...usage };
  for (const k of ['latencyMs', 'totalDurationMs', 'loadDurationMs', 'promptEvalDurationMs', 'evalDurationMs'] as const) {
    const v = out[k];
    if (v !== undefined && !Number.isInteger(v)) out[k] = Math.round(v * 1000) / 1000;
  }
  return out;
}
