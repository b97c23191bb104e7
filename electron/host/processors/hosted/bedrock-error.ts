export type BedrockErrorCode =
  | 'not-configured'
  | 'missing-credentials'
  | 'access-denied'
  | 'throttled'
  | 'validation'
  | 'model-not-found'
  | 'timeout'
  | 'model-error'
  | 'unavailable'
  | 'unreachable'
  | 'closed'
  | 'unknown';

export interface BedrockCallContext {
  model: string;
  region: string | null;
  profile?: string;
  endpoint?: string;
  maxAttempts: number;
  timeoutMs: number;
}

/** A Bedrock failure a person can act on: what went wrong, for which model and region, and what to do. */
export class BedrockError extends Error {
  constructor(
    readonly code: BedrockErrorCode,
    message: string,
    readonly model: string,
    readonly region: string | null,
    readonly attempts?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BedrockError';
  }
}

interface SdkErrorShape {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

const CREDENTIAL_SOURCES = 'environment variables, shared credentials and config files, SSO, credential process, web identity';

export function missingCredentialsError(ctx: Pick<BedrockCallContext, 'model' | 'region' | 'profile'>, cause?: unknown): BedrockError {
  const why = cause instanceof Error ? ` (${cause.message})` : '';
  const todo = ctx.profile
    ? `Check that profile "${ctx.profile}" exists in ~/.aws/config or ~/.aws/credentials, or run "aws sso login --profile ${ctx.profile}".`
    : 'Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, run "aws configure" or "aws sso login", or choose a profile in settings.';
  return new BedrockError(
    'missing-credentials',
    `No AWS credentials found${ctx.profile ? ` for profile "${ctx.profile}"` : ''} for Bedrock; ` +
      `looked in ${CREDENTIAL_SOURCES}${why}. ${todo}`,
    ctx.model,
    ctx.region ?? null,
    undefined,
    { cause },
  );
}

export function toBedrockError(err: unknown, ctx: BedrockCallContext): BedrockError {
  if (err instanceof BedrockError) return err;
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as SdkErrorShape;
  const name = e.name ?? '';
  const detail = e.message ?? String(err);
  const attempts = e.$metadata?.attempts;
  const where = `model "${ctx.model}" in region ${ctx.region ?? '(none)'}`;
  const make = (code: BedrockErrorCode, message: string) =>
    new BedrockError(code, message, ctx.model, ctx.region, attempts, { cause: err });

  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(detail)) return missingCredentialsError(ctx, err);
  if (/Region is missing/i.test(detail)) {
    return make('not-configured', `No AWS region set for Bedrock: set a region in settings or AWS_REGION (${detail}).`);
  }
  switch (name) {
    case 'AccessDeniedException':
      return make(
        'access-denied',
        `Access denied to Bedrock ${where}: ${detail} ` +
          `Request access to this model in the Bedrock console for ${ctx.region ?? 'that region'}, ` +
          'and check that the IAM policy allows bedrock:InvokeModel and bedrock:InvokeModelWithResponseStream.',
      );
    case 'ThrottlingException':
    case 'ServiceQuotaExceededException':
      return make(
        'throttled',
        `Bedrock throttled ${where} after ${attempts ?? '?'} of ${ctx.maxAttempts} attempts (the SDK's standard retry): ${detail} ` +
          'Wait a little and try again, or ask AWS for a higher quota.',
      );
    case 'ValidationException':
      return make('validation', `Bedrock rejected the request for ${where}: ${detail}`);
    case 'ResourceNotFoundException':
      return make(
        'model-not-found',
        `Bedrock ${where} was not found: ${detail} Check the model id and that the model is offered in this region.`,
      );
    case 'TimeoutError':
    case 'ModelTimeoutException':
      return make('timeout', `Bedrock did not answer within ${ctx.timeoutMs} ms for ${where}: ${detail}`);
    case 'ModelStreamErrorException':
    case 'ModelErrorException':
    case 'ModelNotReadyException':
      return make('model-error', `Bedrock ${where} failed while answering: ${detail}`);
    case 'InternalServerException':
    case 'ServiceUnavailableException':
      return make('unavailable', `Bedrock is unavailable for ${where}: ${detail} Try again later.`);
  }
  if (e.code === 'ETIMEDOUT') return make('timeout', `Bedrock did not answer within ${ctx.timeoutMs} ms for ${where}: ${detail}`);
  if (e.code && ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EHOSTUNREACH'].includes(e.code)) {
    return make('unreachable', `Cannot reach Bedrock at ${ctx.endpoint ?? `the ${ctx.region ?? ''} endpoint`} (${e.code}): ${detail}`);
  }
  return make('unknown', `Bedrock call for ${where} failed: ${name ? `${name}: ` : ''}${detail}`);
}

export function abortError(reason: unknown): Error {
  const err = new Error(typeof reason === 'string' ? reason : 'Bedrock call aborted', { cause: reason });
  err.name = 'AbortError';
  return err;
}
