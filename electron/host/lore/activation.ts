import { emptyTimedEffectState, LORE_DEFAULTS, type TimedEffectState } from '../../../shared/lorebook';
import type { ActivatedEntry, ActivationTrace, FiredTrace, SkippedEntry, SkipReason } from '../../../shared/lorebook-trace';
import { estimateTokens } from '../npc/prompt/tokens';
import { matchEntry, scoreEntry, type ScanView } from './entry-match';
import { gateEntry } from './entry-gates';
import { filterByInclusionGroups } from './inclusion-groups';
import { parseRegexKey, ScanBuffer } from './key-matching';
import { insertionOrder, placementOf } from './placement';
import { resolveEntries, type LorebookInput, type ResolvedEntry } from './resolved-entry';
import { rollFor } from './seeded-random';
import { TimedEffects } from './timed-effects';

/**
 * The lore activation engine: which entries of an NPC's books go into the prompt for this chat, where, and
 * why. It follows SillyTavern's checkWorldInfo (world-info.js) pass by pass; every random draw comes from
 * the seed, so the same books, chat, state and seed always give the same result.
 */

export interface LoreMessage {
  role: 'user' | 'assistant' | 'system' | (string & {});
  content: string;
  /** Speaker name, scanned as "name: content" when `includeNames` is on. */
  name?: string;
}

export interface ActivationOptions {
  seed: number;
  /** The conversation's timed effects from the previous reply (none: a new conversation). */
  state?: TimedEffectState;
  /** Messages scanned when neither the entry nor its book says: SillyTavern's world_info_depth (2). */
  scanDepth?: number;
  /** Token budget for all activated entries; undefined = the first book's tokenBudget; null = none. */
  tokenBudget?: number | null;
  /** Recursive scanning for every book; undefined = each book's recursiveScanning (off when unset). */
  recursiveScanning?: boolean;
  /** Scan passes at most, the first included (SillyTavern's max recursion steps); 0 = until nothing new fires. */
  maxRecursionSteps?: number;
  caseSensitive?: boolean;
  matchWholeWords?: boolean;
  useGroupScoring?: boolean;
  includeNames?: boolean;
  countTokens?: (text: string) => number;
  /** Replaces macros in keys and content. */
  render?: (text: string) => string;
  /**
   * Test hook: match every entry against the whole scanned text in every pass, as SillyTavern does, instead of
   * only against what recursion added since the entry last failed (the same outcome, much less work).
   */
  rescanEveryPass?: boolean;
}

export const EVICTION_ORDER =
  'entries are admitted sticky ones first, then by order (highest first), then book and entry order, entries marked ' +
  '@@ignore_on_max_context last; the first one that would bring the lore to the token budget or past it is evicted with ' +
  'every one after it, and recursion stops (entries with ignoreBudget are always admitted)';

type Pass = 'initial' | 'recursion';
interface Candidate {
  e: ResolvedEntry;
  trace: FiredTrace;
}

export function activateLore(
  books: readonly LorebookInput[],
  history: readonly LoreMessage[],
  options: ActivationOptions,
): ActivationTrace {
  const render = options.render ?? ((t: string) => t);
  const countTokens = options.countTokens ?? estimateTokens;
  const entries = resolveEntries(books);
  const previous = options.state ?? emptyTimedEffectState();
  const timed = new TimedEffects(
    previous,
    history.length,
    entries.map((e) => e.timed),
  );
  // Counted when an entry first asks (a turn with no lore entries reads none of a long chat).
  let assistantMessages: number | undefined;
  const buffer = new ScanBuffer(history, { includeNames: options.includeNames });
  const budget = options.tokenBudget !== undefined ? options.tokenBudget : (books[0]?.book.tokenBudget ?? null);
  const recursionFor = (e: ResolvedEntry) => options.recursiveScanning ?? e.book.recursiveScanning ?? false;
  const anyRecursion = entries.some(recursionFor);
  const isSticky = (e: ResolvedEntry) => timed.isActive('sticky', e.stateKey);

  const skipped = new Map<ResolvedEntry, Omit<SkippedEntry, keyof ResolvedEntry['ref'] | 'keys'>>();
  const skip = (e: ResolvedEntry, reason: SkipReason, detail: string, more: Partial<SkippedEntry> = {}) => {
    // A later "no key match" does not hide a more telling reason from an earlier pass.
    if (reason === 'no_key_match' && skipped.has(e)) return;
    skipped.set(e, { reason, detail, ...more });
  };
  const activated: Candidate[] = [];
  const isActivated = new Set<ResolvedEntry>();
  const failedProbability = new Set<ResolvedEntry>();
  const contentOf = new Map<ResolvedEntry, { content: string; tokens: number }>();
  let used = 0;
  let overflowed = false;

  const delayLevels = [...new Set(entries.map((e) => e.delayUntilRecursion).filter((n) => n > 0))].sort((a, b) => a - b);
  let delayLevel = delayLevels.shift() ?? 0;

  /**
   * Entries whose primary keys matched nothing the last time they were scanned, and how much recursion text that
   * scan saw. The chat does not change between passes, so such an entry can only match in recursion text added
   * since: only that is searched for its keys (plain keys only; a regex could match across texts).
   */
  const missedUpTo = new Map<ResolvedEntry, { withRecursion: boolean; segments: number }>();
  const plainKeys = (e: ResolvedEntry) => e.keys.every((k) => !parseRegexKey(render(k).trim()) && !k.includes('\x01'));
  const stillMissing = (e: ResolvedEntry, view: ScanView): boolean => {
    const missed = missedUpTo.get(e);
    if (!missed || options.rescanEveryPass || view.depth <= 0) return false;
    if (missed.withRecursion !== view.withRecursion && missed.segments > 0) return false;
    if (!view.withRecursion) return true;
    return !e.keys.some((k) => {
      const key = render(k).trim();
      return key !== '' && buffer.recursionHas(missed.segments, key, view.options);
    });
  };

  const viewFor = (e: ResolvedEntry, pass: Pass): ScanView => ({
    buffer,
    depth: e.scanDepth ?? e.book.scanDepth ?? options.scanDepth ?? LORE_DEFAULTS.scanDepth,
    withRecursion: pass === 'recursion' && recursionFor(e),
    options: {
      caseSensitive: e.caseSensitive ?? options.caseSensitive ?? false,
      matchWholeWords: e.matchWholeWords ?? options.matchWholeWords ?? false,
    },
    render,
  });

  /** One pass over every entry not yet decided: the ones that would activate now. */
  function scan(pass: Pass, passNumber: number): Candidate[] {
    const found: Candidate[] = [];
    for (const e of entries) {
      if (failedProbability.has(e) || isActivated.has(e)) continue;
      const fire = (trace: Omit<FiredTrace, 'decorators' | 'pass'>) =>
        found.push({ e, trace: { ...trace, decorators: e.decorators.applied, pass: passNumber } });
      const gate = gateEntry(e, {
        pass,
        chatLength: history.length,
        assistantMessages: (assistantMessages ??= history.filter((m) => m.role === 'assistant').length),
        sticky: isSticky(e),
        delayed: timed.isActive('delay', e.stateKey),
        cooldownLeft: timed.isActive('cooldown', e.stateKey) ? (timed.remaining('cooldown', e.stateKey) ?? 0) : undefined,
        delayLevel,
        anyRecursion,
        firedBefore: previous.fired.includes(e.stateKey),
      });
      if (gate && 'skip' in gate) {
        const { reason, detail, ...more } = gate.skip;
        skip(e, reason, detail, more);
        continue;
      }
      if (gate) {
        fire(gate.fire);
        continue;
      }

      const view = viewFor(e, pass);
      if (stillMissing(e, view)) {
        missedUpTo.set(e, { withRecursion: view.withRecursion, segments: buffer.recursionCount });
        continue; // its "no key match" from the earlier pass stands
      }
      const m = matchEntry(e, view);
      if (!m.matched && m.reason === 'no_key_match' && plainKeys(e)) {
        missedUpTo.set(e, { withRecursion: view.withRecursion, segments: view.withRecursion ? buffer.recursionCount : 0 });
      } else missedUpTo.delete(e);
      if (!m.matched) {
        const { reason, detail, key, source, decorator } = m;
        skip(e, reason, detail, { ...(key ? { key } : {}), ...(source ? { matchedIn: source } : {}), ...(decorator ? { decorator } : {}) });
        continue;
      }
      fire({
        reason: m.source.kind === 'entry' ? 'recursion' : 'key',
        key: m.key,
        ...(m.secondaryKey !== undefined ? { secondaryKey: m.secondaryKey } : {}),
        matchedIn: m.source,
        ...(m.source.kind === 'entry' ? { recursedFrom: m.source.from } : {}),
      });
    }
    return found;
  }

  let pass: Pass | null = 'initial';
  let passes = 0;
  while (pass) {
    if (options.maxRecursionSteps && passes >= options.maxRecursionSteps) {
      for (const { e } of scan(pass, passes + 1))
        skip(e, 'recursion_limit', `would fire in scan pass ${passes + 1}, past the limit of ${options.maxRecursionSteps}`);
      break;
    }
    passes++;
    const found = scan(pass, passes).sort((a, b) => Number(isSticky(b.e)) - Number(isSticky(a.e)) || a.e.sortIndex - b.e.sortIndex);

    const groups = filterByInclusionGroups(
      found.map((c) => c.e),
      {
        seed: options.seed,
        pass: passes,
        alreadyActivated: activated.map((c) => c.e),
        isSticky,
        score: (e) => scoreEntry(e, viewFor(e, pass!)),
        useGroupScoring: options.useGroupScoring ?? false,
      },
    );
    for (const [e, outcome] of groups.lost) {
      const winner = outcome.winner ? `"${outcome.winner.comment ?? outcome.winner.entry}"` : 'another entry';
      skip(e, 'group_lost', `lost inclusion group "${outcome.group}" to ${winner} (${outcome.how.replace('_', ' ')})`, { group: outcome });
    }
    const admission = found
      .filter((c) => !groups.lost.has(c.e))
      .map((c) => (groups.won.has(c.e) ? { ...c, trace: { ...c.trace, group: groups.won.get(c.e)! } } : c))
      .sort(
        (a, b) =>
          Number(isSticky(b.e)) - Number(isSticky(a.e)) ||
          Number(!!a.e.decorators.ignoreOnMaxContext) - Number(!!b.e.decorators.ignoreOnMaxContext) ||
          a.e.sortIndex - b.e.sortIndex,
      );

    const admittedNow: Candidate[] = [];
    for (const c of admission) {
      const { e } = c;
      if (overflowed && !e.ignoreBudget) {
        skip(e, 'budget_evicted', `evicted: the token budget of ${budget} was reached (${EVICTION_ORDER})`);
        continue;
      }
      if (e.useProbability && e.probability !== 100 && !isSticky(e)) {
        const roll = rollFor(options.seed, 'probability', e.stateKey) * 100;
        const probability = { roll, chance: e.probability };
        if (roll > e.probability) {
          failedProbability.add(e);
          skip(e, 'probability_failed', `probability ${e.probability}%: rolled ${roll.toFixed(1)}`, { probability });
          continue;
        }
        c.trace = { ...c.trace, probability };
      }
      const content = render(e.body);
      const tokens = countTokens(content);
      if (!e.ignoreBudget && budget !== null && used + tokens >= budget) {
        overflowed = true;
        skip(
          e,
          'budget_evicted',
          `evicted: ${tokens} token(s) would bring the lore to ${used + tokens} of a budget of ${budget} (${EVICTION_ORDER})`,
        );
        continue;
      }
      used += tokens;
      skipped.delete(e);
      contentOf.set(e, { content, tokens });
      activated.push(c);
      isActivated.add(e);
      admittedNow.push(c);
    }

    const forRecursion = admittedNow.filter((c) => !c.e.preventRecursion);
    let next: Pass | null = anyRecursion && !overflowed && forRecursion.length ? 'recursion' : null;
    if (!next && delayLevels.length) {
      next = 'recursion';
      delayLevel = delayLevels.shift()!;
    }
    if (next) for (const c of forRecursion) buffer.addRecursion(c.e.ref, contentOf.get(c.e)!.content);
    pass = next;
  }

  const state = timed.record(activated.map((c) => c.e.timed));
  const out: ActivatedEntry[] = [];
  for (const { e, trace } of insertionOrder(activated.map((c) => ({ ...c, entry: c.e })))) {
    const { content, tokens } = contentOf.get(e)!;
    if (!content) {
      skip(e, 'empty_content', 'fired, but its content is empty: nothing to insert');
      continue;
    }
    const place = placementOf(e);
    out.push({
      ...e.ref,
      keys: e.keys,
      content,
      position: place.position,
      depth: place.depth,
      role: place.role,
      order: e.order,
      tokens,
      trace,
    });
  }
  return {
    seed: options.seed,
    activated: out,
    skipped: entries.filter((e) => skipped.has(e)).map((e) => ({ ...e.ref, keys: e.keys, ...skipped.get(e)! })),
    state,
    tokens: used,
    tokenBudget: budget,
    evictionOrder: EVICTION_ORDER,
    passes,
  };
}
