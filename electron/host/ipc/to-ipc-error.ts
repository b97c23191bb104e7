import { ZodError, type z } from 'zod';
import { formatIssuePath, type IpcError, type IssueRef } from '../../../shared/errors';

/** Turns zod issues into field paths a person can read ("card.name"). */
export function issueRefs(issues: readonly z.core.$ZodIssue[]): IssueRef[] {
  return issues.map((issue) => ({ path: formatIssuePath(issue.path) || '(input)', message: issue.message }));
}

export function validationError(context: string, issues: IssueRef[]): IpcError {
  const first = issues
    .slice(0, 3)
    .map((i) => `${i.path}: ${i.message}`)
    .join('; ');
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
  return { code: 'ValidationError', message: `${context}: ${first}${more}`, issues };
}

function field(err: object, name: string): unknown {
  return (err as Record<string, unknown>)[name];
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === 'string') return err;
  return String(err);
}

function issuesOf(value: unknown): IssueRef[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((i: unknown) => {
    if (!i || typeof i !== 'object') return [];
    const path = field(i, 'path');
    const message = String(field(i, 'message') ?? 'invalid');
    if (Array.isArray(path)) return [{ path: formatIssuePath(path as PropertyKey[]) || '(input)', message }];
    return [{ path: typeof path === 'string' && path ? path : '(input)', message }];
  });
}

/**
 * Maps anything a handler throws to the contract's error union. Errors choose their code with a
 * `code` field (plus `hint`, `providerId`, `issues`); a ZodError thrown inside a handler (e.g. an
 * imported card that does not fit) is a ValidationError; anything else is Internal, message kept.
 */
export function toIpcError(err: unknown): IpcError {
  if (err instanceof ZodError) return validationError('Invalid data', issueRefs(err.issues));
  const message = messageOf(err);
  if (!err || typeof err !== 'object') return { code: 'Internal', message };
  switch (field(err, 'code')) {
    case 'ShuttingDown':
      return { code: 'ShuttingDown', message };
    case 'ValidationError':
      return { code: 'ValidationError', message, issues: issuesOf(field(err, 'issues')) };
    case 'ProviderUnavailable': {
      const hint = field(err, 'hint');
      const providerId = field(err, 'providerId');
      return {
        code: 'ProviderUnavailable',
        message,
        hint: typeof hint === 'string' ? hint : '',
        ...(typeof providerId === 'string' ? { providerId } : {}),
      };
    }
    case 'NotFound':
      return { code: 'NotFound', message };
    case 'Busy':
      return { code: 'Busy', message };
    case 'Forbidden':
      return { code: 'Forbidden', message };
    default:
      return { code: 'Internal', message };
  }
}
