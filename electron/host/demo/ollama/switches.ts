import { z } from 'zod';

/** Runtime behaviour switches of the test server; set them with `server.set()` or `POST /__control`. */
export const switchesSchema = z
  .object({
    /** Delay before each token after the first, ms. 0 = full speed (yields to the event loop between tokens). */
    tokenDelayMs: z.number().min(0),
    /** Delay before the first token (and before response headers, as with a real model load), ms. */
    firstTokenDelayMs: z.number().min(0),
    /** Answer the next `count` /api requests (to `path` only, if given) with this status and an `{"error": ...}` body. */
    failNext: z
      .object({
        status: z.number().int().min(400).max(599),
        count: z.number().int().min(1),
        message: z.string().optional(),
        path: z.string().startsWith('/api/').optional(),
      })
      .strict()
      .nullable(),
    /** Every model endpoint answers 404 `model "x" not found, try pulling it first`. */
    modelNotFound: z.boolean(),
    /** Accept /api requests and never answer them. */
    hang: z.boolean(),
    /** Reset the TCP connection after streaming this many tokens (0 = before any token). */
    resetAfterTokens: z.number().int().min(0).nullable(),
    /** Reply length in tokens (padded with filler or cut); null = the natural reply. num_predict still caps it. */
    replyTokens: z.number().int().min(1).nullable(),
    /** /api/pull: progress lines per model, and the delay before each. */
    pullSteps: z.number().int().min(1).max(10_000),
    pullStepDelayMs: z.number().min(0),
  })
  .strict();

export type Switches = z.infer<typeof switchesSchema>;

export const switchesPatchSchema = switchesSchema.partial().strict();
export type SwitchesPatch = z.infer<typeof switchesPatchSchema>;

export function defaultSwitches(): Switches {
  return {
    tokenDelayMs: 0,
    firstTokenDelayMs: 0,
    failNext: null,
    modelNotFound: false,
    hang: false,
    resetAfterTokens: null,
    replyTokens: null,
    pullSteps: 20,
    pullStepDelayMs: 25,
  };
}
