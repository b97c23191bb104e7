import { z } from 'zod';
import { formatZodPath } from '../../fs/json-file';

export const BedrockSettingsSchema = z.object({
  /** e.g. "us-east-1"; when absent, the SDK's own lookup (AWS_REGION, the profile's region) decides. */
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must look like "us-east-1"')
    .optional(),
  /** Shared-config profile for the default credential chain (and region). */
  profile: z.string().min(1).optional(),
  /** Custom endpoint, e.g. a VPC endpoint or the test server. */
  endpoint: z.url().optional(),
  /** Static credentials (tests); otherwise the SDK's default chain: env, SSO, shared files, process, web identity. */
  credentials: z
    .object({ accessKeyId: z.string().min(1), secretAccessKey: z.string().min(1), sessionToken: z.string().min(1).optional() })
    .optional(),
  /** Attempts per call under the SDK's standard retry mode (1 = no retry). */
  maxAttempts: z.number().int().min(1).max(10).default(3),
  /** Bounds the wait for response headers and any silence inside a stream. */
  requestTimeoutMs: z.number().int().positive().default(60_000),
  connectTimeoutMs: z.number().int().positive().default(5_000),
  /** Bounds the one-off credential lookup at start (an SSO or process source could block). */
  credentialsTimeoutMs: z.number().int().positive().default(5_000),
});

export type BedrockSettingsInput = z.input<typeof BedrockSettingsSchema>;
export type BedrockSettings = z.output<typeof BedrockSettingsSchema>;

export function parseBedrockSettings(input: BedrockSettingsInput): BedrockSettings {
  const parsed = BedrockSettingsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new Error(`Bedrock settings: ${formatZodPath(issue.path) || '(root)'}: ${issue.message}`);
}
