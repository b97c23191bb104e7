import { ShuttingDownError } from '../../engine/errors';
import {
  EmbeddingMismatchError,
  KnowledgeClosedError,
  KnowledgeInputError,
  UnknownNpcError,
  UnknownSourceError,
} from '../../knowledge/knowledge-errors';
import { ArtError } from '../../npc/card-art';
import { CardExportError, CardImportError } from '../../npc/card-codec';
import { NpcDeletingError, NpcFileConflictError, NpcNotFoundError, NpcValidationError } from '../../npc/npc-errors';
import { PromptOverflowError } from '../../npc/prompt/prompt-overflow-error';
import { TranscriptError } from '../../npc/transcript-store-api';
import { ConversationNotFoundError } from '../../npc/chat-errors';
import { PersonaNotFoundError } from '../../npc/persona-store';
import { PromptNotKeptError } from '../../npc/prompt-view';
import { ChatImportError } from '../../npc/sillytavern-chat';
import { BedrockError } from '../../processors/hosted/bedrock-error';
import { OllamaError } from '../../processors/local/ollama-errors';
import { HostError } from '../host-error';
import { BudgetExceededError } from '../../usage/budget-guard';
import { NoSuiteError, RunNotFoundError, SuiteConfigError, SuiteValidationError, UnknownTestNpcError } from '../../suites/suite-errors';

const BEDROCK_UNAVAILABLE = new Set([
  'not-configured',
  'missing-credentials',
  'access-denied',
  'unreachable',
  'unavailable',
  'throttled',
  'timeout',
  'model-not-found',
  'closed',
]);

/** Gives each service error its IPC code (and hint); errors the router already knows pass through. */
export function toHostError(err: unknown): unknown {
  if (err instanceof HostError || err instanceof ShuttingDownError) return err;
  if (err instanceof SuiteValidationError)
    return new HostError('ValidationError', err.message, { issues: [{ path: err.fieldPath, message: err.reason }] });
  if (err instanceof UnknownTestNpcError || err instanceof NoSuiteError || err instanceof RunNotFoundError)
    return new HostError('NotFound', err.message);
  if (err instanceof SuiteConfigError) return HostError.providerUnavailable(err.message, err.hint, 'suite-runner');
  if (err instanceof ConversationNotFoundError || err instanceof PersonaNotFoundError || err instanceof PromptNotKeptError)
    return new HostError('NotFound', err.message);
  if (err instanceof ChatImportError)
    return new HostError('ValidationError', err.message, { issues: [{ path: 'text', message: err.message }] });
  if (
    err instanceof NpcNotFoundError ||
    err instanceof NpcDeletingError ||
    err instanceof UnknownNpcError ||
    err instanceof UnknownSourceError
  ) {
    return new HostError('NotFound', err.message);
  }
  if (err instanceof CardImportError)
    return new HostError('ValidationError', err.message, { issues: [{ path: err.fieldPath ?? '(card)', message: err.message }] });
  if (err instanceof NpcValidationError)
    return new HostError('ValidationError', err.message, { issues: [{ path: err.fieldPath, message: err.message }] });
  if (err instanceof ArtError) return new HostError('ValidationError', err.message, { issues: [{ path: 'base64', message: err.message }] });
  if (err instanceof CardExportError)
    return new HostError('ValidationError', err.message, { issues: [{ path: 'format', message: err.message }] });
  if (
    err instanceof KnowledgeInputError ||
    err instanceof PromptOverflowError ||
    err instanceof NpcFileConflictError ||
    err instanceof TranscriptError
  ) {
    return new HostError('ValidationError', err.message, { issues: [{ path: '(input)', message: err.message }] });
  }
  if (err instanceof EmbeddingMismatchError) {
    return HostError.providerUnavailable(
      err.message,
      "Reindex this NPC's lore (Knowledge → Reindex) to embed it with the current model.",
      'knowledge-store',
    );
  }
  if (err instanceof KnowledgeClosedError)
    return HostError.providerUnavailable(err.message, 'The knowledge store is closed; restart the studio.', 'knowledge-store');
  if (err instanceof OllamaError) return HostError.providerUnavailable(err.message, err.hint, 'ollama-client');
  if (err instanceof BudgetExceededError) return HostError.providerUnavailable(err.message, err.hint, 'hosted-processor');
  if (err instanceof BedrockError && BEDROCK_UNAVAILABLE.has(err.code)) {
    return HostError.providerUnavailable(err.message, bedrockHint(err.code), 'bedrock');
  }
  return err;
}

function bedrockHint(code: string): string {
  switch (code) {
    case 'missing-credentials':
    case 'not-configured':
      return 'Set a region and credentials (aws configure, AWS_PROFILE or aws sso login), then restart the studio.';
    case 'access-denied':
      return 'Request access to this model in the Bedrock console for the region in Settings, or pick another model.';
    case 'throttled':
      return 'Bedrock is throttling requests; wait a moment and try again.';
    default:
      return 'Check the Bedrock region and endpoint in Settings and your network.';
  }
}

/** Wraps every handler so service errors reach the router with their IPC code. */
export function withDomainErrors<H extends Record<string, (...args: never[]) => Promise<unknown>>>(handlers: H): H {
  const wrapped: Record<string, unknown> = {};
  for (const [channel, handler] of Object.entries(handlers)) {
    wrapped[channel] = async (...args: never[]) => {
      try {
        return await handler(...args);
      } catch (err) {
        throw toHostError(err);
      }
    };
  }
  return wrapped as H;
}
