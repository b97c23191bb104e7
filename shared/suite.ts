import { z } from 'zod';
import { LIMITS, npcIdSchema } from './ids';
import { replyLoreTraceSchema } from './lorebook-trace';
import { processorKindSchema } from './npc';

/**
 * NPC behaviour tests: one suite per NPC (<user-data>/suites/<npcId>.json, and `x_npc_studio/suite.json` inside
 * the NPC's CHARX), runs of it against backends (<user-data>/suites/runs/<npcId>/<runId>.json), and what the
 * Tests panel and the CLI show of them. Versioned: `version: 1`.
 */

export const SUITE_LIMITS = {
  cases: 200,
  turnsPerCase: 20,
  assertionsPerTurn: 20,
  phrases: 50,
  priorTurns: 100,
  samples: 100,
  backends: 8,
} as const;

const text = (max: number) => z.string().max(max, { message: `may have at most ${max.toLocaleString('en-US')} characters` });
const nonBlank = (max: number) => text(max).refine((s) => s.trim().length > 0, { message: 'must not be empty' });

/** A backend to run against, or to judge with: a processor and a model on it. */
export const backendSchema = z.strictObject({
  processor: processorKindSchema,
  model: nonBlank(LIMITS.name),
});
export type Backend = z.output<typeof backendSchema>;

/** How a backend is named in matrices, run files and JUnit: `local:llama3.2`, `hosted:anthropic.claude-…`. */
export function backendLabel(b: Backend): string {
  return `${b.processor}:${b.model}`;
}

const phrasesSchema = z.array(nonBlank(LIMITS.shortText)).min(1, { message: 'list at least one phrase' }).max(SUITE_LIMITS.phrases);

function regexProblem(pattern: string): string | null {
  try {
    new RegExp(pattern, 'i');
    return null;
  } catch (err) {
    return `not a valid regular expression (${(err as Error).message})`;
  }
}

/** With `match: regex` every phrase is a pattern (case-insensitive); otherwise plain text, case-insensitive. */
const phraseAssertion = <K extends string>(kind: K, matches: readonly [string, ...string[]]) =>
  z
    .strictObject({ kind: z.literal(kind), phrases: phrasesSchema, match: z.enum(matches).default(matches[0] as never) })
    .superRefine((a, ctx) => {
      if (a.match !== 'regex') return;
      a.phrases.forEach((p, i) => {
        const problem = regexProblem(p);
        if (problem) ctx.addIssue({ code: 'custom', path: ['phrases', i], message: problem });
      });
    });

export const assertionSchema = z.discriminatedUnion('kind', [
  /** The reply mentions any (or all) of the phrases, or matches any of the patterns. */
  phraseAssertion('mentions', ['any', 'all', 'regex']),
  /** The reply mentions none of the phrases (secrets), nor matches any of the patterns. */
  phraseAssertion('never_mentions', ['text', 'regex']),
  /** A lorebook entry fired for the reply (from its activation trace): its id, its comment or one of its keys. */
  z.strictObject({ kind: z.literal('lore_fired'), entry: nonBlank(LIMITS.shortText) }),
  /** A knowledge source went into the reply's prompt: its source id or its name. */
  z.strictObject({ kind: z.literal('knowledge_cited'), source: nonBlank(LIMITS.sourceName) }),
  /** The reply is at most this many tokens, as the backend counted them. */
  z.strictObject({ kind: z.literal('max_tokens'), max: z.int().min(1).max(1_048_576) }),
  /** A judge model grades the reply against a rubric: pass or fail, with a reason. Default judge: the suite's. */
  z.strictObject({ kind: z.literal('judge'), rubric: nonBlank(LIMITS.cardText), judge: backendSchema.optional() }),
]);
export type Assertion = z.output<typeof assertionSchema>;
export type AssertionKind = Assertion['kind'];
export const ASSERTION_KINDS = ['mentions', 'never_mentions', 'lore_fired', 'knowledge_cited', 'max_tokens', 'judge'] as const;
// Fails to compile when a kind is added to the union but not to the list.
const _kindsListed: Exclude<AssertionKind, (typeof ASSERTION_KINDS)[number]> extends never ? true : never = true;
void _kindsListed;

export const priorTurnSchema = z.strictObject({ role: z.enum(['user', 'assistant']), content: text(LIMITS.chatText) });

export const caseSchema = z.strictObject({
  name: nonBlank(LIMITS.name),
  setup: z
    .strictObject({
      /** Replaces the card's first message as the opening of the conversation ('' for none). */
      greeting: text(LIMITS.chatText).optional(),
      /** Who the player is: their name ({{user}}) and a description the NPC is told. */
      persona: z.strictObject({ name: text(LIMITS.name).optional(), description: text(LIMITS.cardText).optional() }).optional(),
      /** The conversation before the player's turns. */
      priorTurns: z.array(priorTurnSchema).max(SUITE_LIMITS.priorTurns).default([]),
    })
    .default({ priorTurns: [] }),
  turns: z
    .array(
      z.strictObject({
        player: nonBlank(LIMITS.chatText),
        expect: z.array(assertionSchema).max(SUITE_LIMITS.assertionsPerTurn).default([]),
      }),
    )
    .min(1, { message: 'a case needs at least one player turn' })
    .max(SUITE_LIMITS.turnsPerCase),
});
export type SuiteCase = z.output<typeof caseSchema>;

export const suiteSchema = z
  .strictObject({
    version: z.literal(1),
    npcId: npcIdSchema,
    /** The judge model of `judge` assertions that name none. */
    judge: backendSchema.optional(),
    cases: z.array(caseSchema).max(SUITE_LIMITS.cases, { message: `a suite may have at most ${SUITE_LIMITS.cases} cases` }),
  })
  .superRefine((suite, ctx) => {
    const seen = new Set<string>();
    suite.cases.forEach((c, i) => {
      if (seen.has(c.name))
        ctx.addIssue({
          code: 'custom',
          path: ['cases', i, 'name'],
          message: `"${c.name}" is the name of an earlier case; names must differ`,
        });
      seen.add(c.name);
    });
  });
export type Suite = z.output<typeof suiteSchema>;
export type SuiteInput = z.input<typeof suiteSchema>;

/** What a run is asked to do. */
export const runRequestSchema = z.strictObject({
  npcId: npcIdSchema,
  backends: z.array(backendSchema).min(1, { message: 'choose at least one backend' }).max(SUITE_LIMITS.backends),
  samples: z.int().min(1).max(SUITE_LIMITS.samples).default(1),
  /** Sample i of a case is sent with seed `seed + i` (Ollama options.seed; Bedrock Converse has no seed). */
  seed: z
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(1),
  /** Overrides the NPC's temperature for every sample. */
  temperature: z.number().min(0).max(2).optional(),
  /** Only these cases (by name); all when absent. */
  cases: z.array(nonBlank(LIMITS.name)).max(SUITE_LIMITS.cases).optional(),
});
export type RunRequest = z.output<typeof runRequestSchema>;
export type RunRequestInput = z.input<typeof runRequestSchema>;

export const VERDICTS = ['pass', 'fail', 'error'] as const;
export const judgeOutcomeSchema = z.strictObject({
  judge: backendSchema,
  /** The prompt the judge model was sent, system and user, as shown to the designer. */
  prompt: z.strictObject({ system: z.string(), user: z.string() }),
  answer: z.string(),
});

export const assertionResultSchema = z.strictObject({
  /** Index in the turn's `expect`. */
  index: z.int(),
  kind: z.enum(ASSERTION_KINDS),
  /** The assertion in words, e.g. `never mentions "vault code"`. */
  label: z.string(),
  verdict: z.enum(VERDICTS),
  /** Why it passed, failed or could not be checked. */
  message: z.string(),
  judge: judgeOutcomeSchema.optional(),
});
export type AssertionResult = z.output<typeof assertionResultSchema>;

export const SAMPLE_STATUSES = ['pass', 'fail', 'error', 'interrupted'] as const;
export type SampleStatus = (typeof SAMPLE_STATUSES)[number];

export const sampleTurnSchema = z.strictObject({
  player: z.string(),
  reply: z.string(),
  usage: z.strictObject({ promptTokens: z.number(), replyTokens: z.number(), latencyMs: z.number() }).optional(),
  costUsd: z.number().nullable().optional(),
  lore: replyLoreTraceSchema.optional(),
  /** Knowledge sources whose chunks went into the prompt. */
  knowledge: z.array(z.strictObject({ sourceId: z.string().optional(), source: z.string() })).default([]),
  assertions: z.array(assertionResultSchema),
});
export type SampleTurn = z.output<typeof sampleTurnSchema>;

export const sampleResultSchema = z.strictObject({
  case: z.string(),
  backend: z.string(),
  sample: z.int(),
  seed: z.int(),
  /** False where the backend has no seed (Bedrock Converse): the sample is not reproducible. */
  seeded: z.boolean(),
  /** Where it ran: an Ollama URL, or `bedrock`. */
  endpoint: z.string(),
  status: z.enum(SAMPLE_STATUSES),
  /** The backend failed (error) or the run was cut (interrupted): why. */
  error: z.string().optional(),
  ms: z.number(),
  /** The conversation the sample started from (greeting and prior turns), then its turns. */
  opening: z.array(priorTurnSchema),
  turns: z.array(sampleTurnSchema),
});
export type SampleResult = z.output<typeof sampleResultSchema>;

export const matrixCellSchema = z.strictObject({
  case: z.string(),
  backend: z.string(),
  passed: z.int(),
  failed: z.int(),
  errors: z.int(),
  interrupted: z.int(),
  /** passed / (passed + failed); null when no sample was graded. */
  passRate: z.number().nullable(),
});
export type MatrixCell = z.output<typeof matrixCellSchema>;

/** Run ids sort by time: `r-<ISO time without punctuation>-<random>` (suites/run-store.ts newRunId). */
export const runIdSchema = z.string().regex(/^r-[A-Za-z0-9-]{1,80}$/, 'must be a test run id (r-…)');

export const RUN_STATES = ['running', 'complete', 'stopped', 'interrupted'] as const;

export const runFileSchema = z.strictObject({
  version: z.literal(1),
  id: runIdSchema,
  npcId: npcIdSchema,
  npcName: z.string(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
  /** complete; stopped by the designer; interrupted by the studio quitting (partial results). */
  state: z.enum(RUN_STATES),
  request: runRequestSchema,
  cases: z.array(z.string()),
  backends: z.array(z.string()),
  planned: z.int(),
  samples: z.array(sampleResultSchema),
  matrix: z.array(matrixCellSchema),
  totals: z.strictObject({
    passed: z.int(),
    failed: z.int(),
    errors: z.int(),
    interrupted: z.int(),
    promptTokens: z.number(),
    replyTokens: z.number(),
    /** Null when a hosted model has no price in the usage tracker's table. */
    costUsd: z.number().nullable(),
  }),
});
export type RunFile = z.output<typeof runFileSchema>;

export interface RunSummary {
  id: string;
  npcId: string;
  startedAt: string;
  state: RunFile['state'];
  backends: string[];
  planned: number;
  totals: RunFile['totals'];
}

export interface RunDiffCell {
  case: string;
  backend: string;
  before: number | null;
  after: number | null;
  change: 'regressed' | 'improved' | 'same' | 'new' | 'gone';
}

/** A run against the run before it (same NPC): which cells got worse. */
export interface RunDiff {
  runId: string;
  previousRunId: string | null;
  cells: RunDiffCell[];
  regressions: number;
}

/** The `suite.progress` event: samples done of planned, and an estimate of the time left. */
export interface SuiteProgressEvent {
  runId: string;
  npcId: string;
  state: RunFile['state'];
  done: number;
  total: number;
  passed: number;
  failed: number;
  errors: number;
  /** Estimated ms to finish, from the pace so far; null before the first sample ends. */
  etaMs: number | null;
}

/** A suite file that could not be used; it is kept as it is. */
export interface SuiteFileProblem {
  file: string;
  npcId: string;
  fieldPath?: string;
  reason: string;
}
