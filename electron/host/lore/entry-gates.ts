import type { FiredTrace, SkipReason } from '../../../shared/lorebook-trace';
import type { ResolvedEntry } from './resolved-entry';

/**
 * What decides an entry before its keys are read, in SillyTavern's checkWorldInfo order: disabled, delay,
 * cooldown (a sticky overrides it), delay until recursion, exclude recursion, then the decorators, constant,
 * and an active sticky. The studio's own decorator gates (`@@activate_only_after`, `@@activate_only_every`,
 * the after-match pair) sit just before `@@activate`.
 */

export interface GateContext {
  pass: 'initial' | 'recursion';
  chatLength: number;
  assistantMessages: number;
  sticky: boolean;
  delayed: boolean;
  /** Messages left on an active cooldown; undefined when none is running. */
  cooldownLeft: number | undefined;
  delayLevel: number;
  anyRecursion: boolean;
  firedBefore: boolean;
}

export type Gate =
  | { fire: Omit<FiredTrace, 'decorators' | 'pass'> }
  | { skip: { reason: SkipReason; detail: string; decorator?: string } }
  /** Nothing decided: match the keys. */
  | null;

const skip = (reason: SkipReason, detail: string, decorator?: string): Gate => ({
  skip: { reason, detail, ...(decorator ? { decorator } : {}) },
});

export function gateEntry(e: ResolvedEntry, ctx: GateContext): Gate {
  if (!e.enabled) return skip('disabled', 'the entry is disabled');
  if (ctx.delayed) return skip('delay', `delay: the chat has ${ctx.chatLength} message(s); the entry waits for ${e.timed.delay}`);
  if (ctx.cooldownLeft !== undefined && !ctx.sticky) {
    return skip('cooldown', `cooldown: ${ctx.cooldownLeft} more message(s) before it can fire again`);
  }
  if (e.delayUntilRecursion && !ctx.sticky && (ctx.pass !== 'recursion' || e.delayUntilRecursion > ctx.delayLevel)) {
    return skip('delay_until_recursion', `delayed until recursion level ${e.delayUntilRecursion}`);
  }
  if (ctx.pass === 'recursion' && e.excludeRecursion && !ctx.sticky && ctx.anyRecursion) {
    return skip('excluded_from_recursion', 'excluded from recursion: only the chat itself can trigger it');
  }
  const d = e.decorators;
  const replies = `${ctx.assistantMessages} reply(ies) so far`;
  if (d.activateOnlyAfter && ctx.assistantMessages < d.activateOnlyAfter.value) {
    return skip('decorator', `${d.activateOnlyAfter.raw}: ${replies}`, d.activateOnlyAfter.raw);
  }
  if (d.activateOnlyEvery && ctx.assistantMessages % d.activateOnlyEvery.value !== 0) {
    return skip('decorator', `${d.activateOnlyEvery.raw}: ${replies}`, d.activateOnlyEvery.raw);
  }
  if (d.activate) return { fire: { reason: 'decorator', decorator: d.activate } };
  if (d.keepActivateAfterMatch && ctx.firedBefore) return { fire: { reason: 'decorator', decorator: d.keepActivateAfterMatch } };
  if (d.dontActivate) return skip('decorator', `${d.dontActivate}: never activates`, d.dontActivate);
  if (d.dontActivateAfterMatch && ctx.firedBefore) {
    return skip('decorator', `${d.dontActivateAfterMatch}: it fired earlier in this conversation`, d.dontActivateAfterMatch);
  }
  if (e.constant) return { fire: { reason: 'constant' } };
  if (ctx.sticky) return { fire: { reason: 'sticky' } };
  if (!e.keys.length) return skip('no_keys', 'the entry has no keys and is not constant');
  return null;
}
