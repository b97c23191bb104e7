import { z } from 'zod';
import { LIMITS } from './ids';

const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .max(LIMITS.url);

export const chromaSettingsSchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('embedded') }),
  z.strictObject({ mode: z.literal('url'), url: httpUrl }),
]);

export const settingsSchema = z.strictObject({
  ollama: z.strictObject({ url: httpUrl }),
  bedrock: z.strictObject({
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must look like us-east-1'),
    profile: z.string().max(LIMITS.name).optional(),
    endpoint: httpUrl.optional(),
  }),
  chroma: chromaSettingsSchema,
  timeouts: z.strictObject({
    providerCleanupMs: z.number().int().min(100).max(60_000),
    shutdownDeadlineMs: z.number().int().min(500).max(120_000),
    drainMs: z.number().int().min(0).max(60_000),
  }),
});

export type Settings = z.output<typeof settingsSchema>;

export interface SettingsSetResult {
  settings: Settings;
  /** Settings that take effect at the next start (e.g. Chroma mode). */
  restartRequired: string[];
}
