import type { ConverseStreamMetadataEvent } from '@aws-sdk/client-bedrock-runtime';
import type { Health } from '../../../../shared/health';
import { healthNow, type Provider } from '../../lifecycle/provider';
import type { Logger } from '../../log/logger';
import type { ChatEvent, ChatRequest, Processor } from '../processor';
import { abortError, BedrockError } from './bedrock-error';
import type { BedrockClientProvider } from './bedrock-client-provider';
import { toConverseInput } from './converse-mapping';

/** Chat on a hosted model through Bedrock's ConverseStream: the same Processor interface as the local one. */
export class HostedProcessor implements Processor, Provider {
  readonly id = 'hosted-processor';
  readonly kind = 'hosted' as const;
  readonly phase = 'processors' as const;
  private bedrock: BedrockClientProvider | null;
  private readonly inFlight = new Set<AbortController>();
  private closing: Promise<void> | null = null;
  private completed = 0;

  constructor(
    bedrock: BedrockClientProvider,
    private readonly logger: Logger,
  ) {
    this.bedrock = bedrock;
  }

  async *chat(request: ChatRequest, signal: AbortSignal): AsyncGenerator<ChatEvent> {
    const bedrock = this.bedrock;
    if (!bedrock) throw new BedrockError('closed', 'The hosted processor is closed', request.model, null);
    const input = toConverseInput(request);
    const controller = new AbortController();
    const combined = AbortSignal.any([signal, controller.signal]);
    this.inFlight.add(controller);
    const started = performance.now();
    let metadata: ConverseStreamMetadataEvent | undefined;
    let stopReason: string | undefined;
    try {
      for await (const event of bedrock.converseStream(input, combined)) {
        const text = event.contentBlockDelta?.delta?.text;
        if (text) yield { type: 'token', text };
        else if (event.messageStop) stopReason = event.messageStop.stopReason;
        else if (event.metadata) metadata = event.metadata;
      }
    } finally {
      this.inFlight.delete(controller);
    }
    if (combined.aborted) throw abortError(combined.reason);
    if (!metadata) {
      throw new BedrockError(
        'model-error',
        `Bedrock model "${request.model}" ended its stream without the usage metadata event`,
        request.model,
        null,
      );
    }
    this.completed++;
    yield {
      type: 'done',
      model: request.model,
      ...(stopReason ? { stopReason } : {}),
      usage: {
        promptTokens: metadata.usage?.inputTokens ?? 0,
        replyTokens: metadata.usage?.outputTokens ?? 0,
        latencyMs: Math.round(performance.now() - started),
        ...(metadata.metrics?.latencyMs !== undefined ? { totalDurationMs: metadata.metrics.latencyMs } : {}),
      },
    };
  }

  async healthCheck(): Promise<Health> {
    const resources = { inFlight: this.inFlight.size, completedChats: this.completed };
    return healthNow(this.bedrock ? 'healthy' : 'stopped', resources);
  }

  /** Aborts in-flight chats and drops the client reference (the client closes in its own step). Idempotent. */
  cleanup(): Promise<void> {
    this.closing ??= this.close();
    return this.closing;
  }

  private async close(): Promise<void> {
    const aborted = this.inFlight.size;
    for (const controller of this.inFlight) controller.abort(abortError('hosted processor closing'));
    this.bedrock = null;
    this.logger.debug({ aborted }, 'Hosted processor closed');
  }
}
