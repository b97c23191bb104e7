import { z } from 'zod';
import { LORE_POSITIONS, LORE_ROLES, timedEffectStateSchema } from './lorebook';

/**
 * What the lore activation engine decided for one reply, and why: the activated entries in insertion
 * order with where they go, every entry left out with its reason, and the timed-effect state to keep for
 * the conversation. Stored with the reply, shown in the chat and by `lore trace`.
 */

export const entryRefSchema = z.strictObject({
  /** The lorebook's id. */
  book: z.string(),
  /** The entry's uid/id, or its index in the book when it has none. */
  entry: z.string(),
  /** The entry's comment (its title in SillyTavern), when it has one. */
  comment: z.string().optional(),
});

export const matchSourceSchema = z.discriminatedUnion('kind', [
  /** One chat message: its index in the history (0 = oldest). */
  z.strictObject({ kind: z.literal('message'), index: z.number().int(), role: z.string(), excerpt: z.string() }),
  /** A regex key that matched across several messages. */
  z.strictObject({ kind: z.literal('messages'), excerpt: z.string() }),
  /** The content of an entry activated in an earlier pass (recursive scanning). */
  z.strictObject({ kind: z.literal('entry'), from: entryRefSchema, excerpt: z.string() }),
]);

export const FIRE_REASONS = ['key', 'constant', 'recursion', 'decorator', 'sticky'] as const;

export const probabilityRollSchema = z.strictObject({
  /** The roll, 0–100; the entry passes when roll ≤ chance. */
  roll: z.number(),
  chance: z.number(),
});

export const groupOutcomeSchema = z.strictObject({
  group: z.string(),
  /** How the group chose: a sticky member, groupOverride (highest order), key-match score, weighted roll, already won earlier. */
  how: z.enum(['sticky', 'override', 'score', 'weight', 'already_activated']),
  winner: entryRefSchema.optional(),
  /** The weighted roll, 0 – total weight. */
  roll: z.number().optional(),
  totalWeight: z.number().optional(),
});

export const firedTraceSchema = z.strictObject({
  reason: z.enum(FIRE_REASONS),
  /** The primary key that matched, and the secondary one when the logic needed one. */
  key: z.string().optional(),
  secondaryKey: z.string().optional(),
  matchedIn: matchSourceSchema.optional(),
  /** For reason `recursion`: the entry whose content held the key. */
  recursedFrom: entryRefSchema.optional(),
  probability: probabilityRollSchema.optional(),
  /** The decorator that made it fire (`@@activate`, …). */
  decorator: z.string().optional(),
  /** Every decorator applied to the entry, verbatim. */
  decorators: z.array(z.string()),
  group: groupOutcomeSchema.optional(),
  /** Scan pass (1 = the chat; 2… = recursion). */
  pass: z.number().int(),
});

export const activatedEntrySchema = entryRefSchema.extend({
  keys: z.array(z.string()),
  /** The text that goes into the prompt: decorators stripped, macros replaced. */
  content: z.string(),
  position: z.union([z.enum(LORE_POSITIONS), z.number().int()]),
  /** For position `at_depth`: messages from the end of the chat. */
  depth: z.number().int().nullable(),
  role: z.enum(LORE_ROLES),
  order: z.number(),
  tokens: z.number().int(),
  trace: firedTraceSchema,
});

export const SKIP_REASONS = [
  'disabled',
  'no_keys',
  'no_key_match',
  'secondary_logic_failed',
  'decorator',
  'probability_failed',
  'cooldown',
  'delay',
  'delay_until_recursion',
  'excluded_from_recursion',
  'group_lost',
  'budget_evicted',
  'recursion_limit',
  'empty_content',
] as const;

export const skippedEntrySchema = entryRefSchema.extend({
  keys: z.array(z.string()),
  reason: z.enum(SKIP_REASONS),
  /** One sentence for the designer. */
  detail: z.string(),
  key: z.string().optional(),
  matchedIn: matchSourceSchema.optional(),
  probability: probabilityRollSchema.optional(),
  group: groupOutcomeSchema.optional(),
  decorator: z.string().optional(),
});

export const activationTraceSchema = z.strictObject({
  seed: z.number().int(),
  activated: z.array(activatedEntrySchema),
  skipped: z.array(skippedEntrySchema),
  state: timedEffectStateSchema,
  tokens: z.number().int(),
  tokenBudget: z.number().int().nullable(),
  /** How the budget evicts, in words (shown beside evicted entries). */
  evictionOrder: z.string(),
  passes: z.number().int(),
});

export type EntryRef = z.output<typeof entryRefSchema>;
export type MatchSource = z.output<typeof matchSourceSchema>;
export type FireReason = (typeof FIRE_REASONS)[number];
export type SkipReason = (typeof SKIP_REASONS)[number];
export type ProbabilityRoll = z.output<typeof probabilityRollSchema>;
export type GroupOutcome = z.output<typeof groupOutcomeSchema>;
export type FiredTrace = z.output<typeof firedTraceSchema>;
export type ActivatedEntry = z.output<typeof activatedEntrySchema>;
export type SkippedEntry = z.output<typeof skippedEntrySchema>;
export type ActivationTrace = z.output<typeof activationTraceSchema>;

/** A lorebook the trace names: its id (as entries' `book` give it) and what the designer calls it. */
export const tracedBookSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  /** How it reached the NPC: its card's own book, attached, or linked by the card's `extensions.world`. */
  how: z.enum(['card', 'attached', 'linked', 'tried']),
});

/**
 * The trace as kept with a reply: the books by name, and of the entries left out only those with a telling
 * reason (entries of a large book that simply did not match are counted in `quietSkips`, not listed, so a
 * transcript does not grow by the size of every book on every reply).
 */
export const replyLoreTraceSchema = activationTraceSchema.extend({
  books: z.array(tracedBookSchema),
  quietSkips: z.number().int().min(0),
});

/** Reasons to leave an entry out that are worth listing under a reply. */
export const QUIET_SKIP_REASONS: readonly SkipReason[] = ['disabled', 'no_keys', 'no_key_match'];

export type TracedBook = z.output<typeof tracedBookSchema>;
export type ReplyLoreTrace = z.output<typeof replyLoreTraceSchema>;
