import { z } from 'zod';
import { LIMITS } from './ids';

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(LIMITS.url);

export const chromaSettingsSchema = z.discriminatedUnion('mode', [
  z.strictObject({
    mode: z.literal('embedded'),
    /** A command put before Chroma's (e.g. a newer glibc loader on Debian 12); NPC_STUDIO_CHROMA_PREFIX wins. */
    launchPrefix: z.array(z.string().min(1).max(LIMITS.url)).max(16).optional(),
  }),
  z.strictObject({ mode: z.literal('url'), url: httpUrl }),
]);

/** How many requests (test samples) one Ollama endpoint is sent at once; match its OLLAMA_NUM_PARALLEL. */
const concurrencySchema = z.int().min(1).max(32);

/** A further Ollama (a team's GPU box) in the pool that test runs spread their samples over. */
export const ollamaEndpointSchema = z.strictObject({ url: httpUrl, concurrency: concurrencySchema.default(1) });

export const settingsSchema = z.strictObject({
  ollama: z
    .strictObject({
      /** The Ollama chats use; also the first endpoint of the test pool. */
      url: httpUrl,
      /** Test samples sent to `url` at once (default 1). */
      concurrency: concurrencySchema.optional(),
      /** More Ollama URLs for test runs, each with its own concurrency and health card. */
      endpoints: z.array(ollamaEndpointSchema).max(16).optional(),
    })
    .superRefine((o, ctx) => {
      const seen = new Set([o.url.replace(/\/+$/, '')]);
      o.endpoints?.forEach((e, i) => {
        const url = e.url.replace(/\/+$/, '');
        if (seen.has(url))
          ctx.addIssue({ code: 'custom', path: ['endpoints', i, 'url'], message: `${e.url} is already in the pool; list each URL once` });
        seen.add(url);
      });
    }),
  bedrock: z.strictObject({
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must look like us-east-1'),
    profile: z.string().max(LIMITS.name).optional(),
    endpoint: httpUrl.optional(),
  }),
  chroma: chromaSettingsSchema,
  /** Hosted (Bedrock) spending: warn at 80 % of the monthly cap, refuse new hosted turns at it. null: no cap. */
  budget: z.strictObject({ monthlyCapUsd: z.number().min(0).max(1_000_000).nullable() }).optional(),
  timeouts: z
    .strictObject({
      providerCleanupMs: z.number().int().min(100).max(60_000),
      shutdownDeadlineMs: z.number().int().min(500).max(120_000),
      drainMs: z.number().int().min(0).max(60_000),
    })
    .superRefine(({ drainMs, shutdownDeadlineMs, providerCleanupMs }, ctx) => {
      // The shutdown deadline covers the drain and then closing the providers: the drain may not eat it all.
      const room = shutdownDeadlineMs - providerCleanupMs;
      if (drainMs < room) return;
      ctx.addIssue({
        code: 'custom',
        path: ['drainMs'],
        message:
          'must be less than shutdownDeadlineMs minus providerCleanupMs ' +
          `(${shutdownDeadlineMs} ms - ${providerCleanupMs} ms = ${room} ms), ` +
          `got ${drainMs} ms; lower drainMs or raise shutdownDeadlineMs so closing the providers keeps its time`,
      });
    }),
});

export type Settings = z.output<typeof settingsSchema>;
export type OllamaEndpointSetting = z.output<typeof ollamaEndpointSchema>;

export interface SettingsSetResult {
  settings: Settings;
  /** Settings that take effect at the next start (e.g. Chroma mode). */
  restartRequired: string[];
}
