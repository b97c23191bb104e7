import type { IssueRef } from '../../../shared/errors';

type HostErrorCode = 'ValidationError' | 'ProviderUnavailable' | 'NotFound' | 'Internal';

/**
 * An error a handler (or a service) throws to choose its IPC error code. Any error with a `code`
 * from the contract's list (and `hint`, `providerId`, `issues`) maps the same way; this class is
 * just the convenient way to make one.
 */
export class HostError extends Error {
  constructor(
    readonly code: HostErrorCode,
    message: string,
    readonly details: { hint?: string; providerId?: string; issues?: IssueRef[] } = {},
  ) {
    super(message);
    this.name = 'HostError';
  }

  get hint(): string | undefined {
    return this.details.hint;
  }

  get providerId(): string | undefined {
    return this.details.providerId;
  }

  get issues(): IssueRef[] | undefined {
    return this.details.issues;
  }

  static notFound(what: string): HostError {
    return new HostError('NotFound', `${what} not found`);
  }

  static providerUnavailable(message: string, hint: string, providerId?: string): HostError {
    return new HostError('ProviderUnavailable', message, { hint, providerId });
  }
}
