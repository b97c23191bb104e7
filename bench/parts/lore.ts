/*
 * The lore activation engine on a world book at the lorebook limit: 2,000 entries (keys, some selective,
 * regex, constant, sticky and grouped ones) whose texts name other entries, recursive scanning, a 40-message
 * chat; the time of one activateLore call (what every chat turn pays before its prompt is sent), median and p95,
 * under SillyTavern's default budget and with none.
 */
import { activateLore, type LoreMessage } from '../../electron/host/lore/activation';
import { lorebookSchema, LOREBOOK_LIMITS } from '../../shared/lorebook';
import { percentile, seededRandom, type BenchFigure } from '../report';

const RUNS = 15;
const WARMUP = 2;

export default async function lore(): Promise<BenchFigure[]> {
  const random = seededRandom(20261130);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  // Keys are names (4,000 of them); prose is common words with now and then a name, so recursion reaches a few entries.
  const names = Array.from({ length: 4000 }, (_, i) => `Name${i.toString(36)}`);
  const common = Array.from({ length: 800 }, (_, i) => `w${i.toString(36)}`);
  const prose = (n: number) => Array.from({ length: n }, () => (random() < 0.02 ? pick(names) : pick(common))).join(' ');
  const book = lorebookSchema.parse({
    recursiveScanning: true,
    entries: Array.from({ length: LOREBOOK_LIMITS.entries }, (_, i) => ({
      id: i,
      keys: i % 50 === 0 ? [`/\\b${names[i * 2]}\\d*\\b/i`] : [names[i * 2], names[i * 2 + 1]],
      secondaryKeys: i % 7 === 0 ? [pick(common)] : [],
      selective: i % 7 === 0,
      constant: i % 400 === 0,
      sticky: i % 90 === 0 ? 2 : undefined,
      group: i % 25 === 0 ? `g${i % 3}` : undefined,
      content: prose(60),
    })),
  });
  const history: LoreMessage[] = Array.from({ length: 40 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: prose(40) }));
  // A 4,096-token context with the default reply reserve: SillyTavern's default lore budget, a quarter of it.
  const budget = Math.floor((4096 - 512) * 0.25);
  const measure = (tokenBudget: number | null) => {
    const times: number[] = [];
    let trace;
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const started = performance.now();
      trace = activateLore([{ id: 'world', book }], history, { seed: i, scanDepth: 4, tokenBudget });
      if (i >= WARMUP) times.push(performance.now() - started);
    }
    return { times: times.sort((a, b) => a - b), fired: trace!.activated.length, passes: trace!.passes };
  };
  const budgeted = measure(budget);
  const unbounded = measure(null);
  return [
    {
      name: 'lore_activate_2000_entries_budget_median',
      value: percentile(budgeted.times, 50),
      unit: 'ms',
      target: { op: '<=', value: 50 },
    },
    { name: 'lore_activate_2000_entries_budget_p95', value: percentile(budgeted.times, 95), unit: 'ms', target: { op: '<=', value: 150 } },
    { name: 'lore_activate_2000_entries_budget_fired', value: budgeted.fired, unit: 'entries' },
    // No budget at all (a book that sets a huge one): recursion runs through the book, pass after pass.
    {
      name: 'lore_activate_2000_entries_unbounded_median',
      value: percentile(unbounded.times, 50),
      unit: 'ms',
      target: { op: '<=', value: 1000 },
    },
    { name: 'lore_activate_2000_entries_unbounded_fired', value: unbounded.fired, unit: 'entries' },
    { name: 'lore_activate_2000_entries_unbounded_passes', value: unbounded.passes, unit: 'passes' },
  ];
}
