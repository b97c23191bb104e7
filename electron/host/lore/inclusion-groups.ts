import type { GroupOutcome } from '../../../shared/lorebook-trace';
import type { ResolvedEntry } from './resolved-entry';
import { rollFor } from './seeded-random';

/**
 * Inclusion groups, as SillyTavern's filterByInclusionGroups: of the entries one scan pass activated,
 * each group keeps one. A sticky member wins outright; with group scoring, members that matched fewer keys
 * drop out; a group that already has a winner from an earlier pass keeps none; `groupOverride` members win
 * by highest order; otherwise one is drawn with probability proportional to `groupWeight` (seeded).
 */

export interface GroupContext {
  seed: number;
  pass: number;
  alreadyActivated: readonly ResolvedEntry[];
  isSticky(entry: ResolvedEntry): boolean;
  /** Number of keys (primary, and secondary where the logic is positive) found for the entry. */
  score(entry: ResolvedEntry): number;
  useGroupScoring: boolean;
}

export interface GroupResult {
  kept: ResolvedEntry[];
  lost: Map<ResolvedEntry, GroupOutcome>;
  won: Map<ResolvedEntry, GroupOutcome>;
}

export function filterByInclusionGroups(candidates: readonly ResolvedEntry[], ctx: GroupContext): GroupResult {
  const grouped = new Map<string, ResolvedEntry[]>();
  for (const e of candidates) for (const g of e.groups) grouped.set(g, [...(grouped.get(g) ?? []), e]);
  const lost = new Map<ResolvedEntry, GroupOutcome>();
  const won = new Map<ResolvedEntry, GroupOutcome>();
  const lose = (e: ResolvedEntry, outcome: GroupOutcome) => {
    if (!lost.has(e)) lost.set(e, outcome);
  };

  const hasSticky = new Set<string>();
  for (const [name, members] of grouped) {
    const sticky = members.filter((e) => ctx.isSticky(e));
    if (!sticky.length) continue;
    hasSticky.add(name);
    const outcome: GroupOutcome = { group: name, how: 'sticky', winner: sticky[0]!.ref };
    for (const e of members) (sticky.includes(e) ? won : lost).set(e, outcome);
  }

  for (const [name, members] of grouped) {
    if (hasSticky.has(name)) continue;
    if (!ctx.useGroupScoring && !members.some((e) => e.useGroupScoring)) continue;
    const scores = members.map((e) => ctx.score(e));
    const best = Math.max(...scores);
    const winner = members[scores.indexOf(best)]!;
    const kept = members.filter((e, i) => !((e.useGroupScoring ?? ctx.useGroupScoring) && scores[i]! < best));
    for (const e of members) if (!kept.includes(e)) lose(e, { group: name, how: 'score', winner: winner.ref });
    grouped.set(name, kept);
  }

  for (const [name, members] of grouped) {
    if (hasSticky.has(name)) continue;
    const earlier = ctx.alreadyActivated.find((e) => e.groups.includes(name));
    if (earlier) {
      for (const e of members) lose(e, { group: name, how: 'already_activated', winner: earlier.ref });
      continue;
    }
    if (members.length <= 1) continue;
    const overrides = members.filter((e) => e.groupOverride).sort((a, b) => b.order - a.order);
    if (overrides.length) {
      decide(members, overrides[0]!, { group: name, how: 'override', winner: overrides[0]!.ref });
      continue;
    }
    const total = members.reduce((n, e) => n + e.groupWeight, 0);
    const roll = rollFor(ctx.seed, 'group', name, ctx.pass) * total;
    let cumulative = 0;
    const winner = members.find((e) => (cumulative += e.groupWeight || 0) >= roll);
    if (!winner) continue;
    decide(members, winner, { group: name, how: 'weight', winner: winner.ref, roll, totalWeight: total });
  }

  function decide(members: ResolvedEntry[], winner: ResolvedEntry, outcome: GroupOutcome) {
    for (const e of members) {
      if (e === winner) won.set(e, outcome);
      else lose(e, outcome);
    }
  }

  return { kept: candidates.filter((e) => !lost.has(e)), lost, won };
}
