import type { Logger } from '../log/logger';
import type { ChatEvent, ChatRequest, Processor } from '../processors/processor';
import type { UsageTracker } from './usage-tracker';

/**
 * Wraps a processor (local or hosted) so each completed call is recorded by the usage tracker before its
 * done event reaches the caller. A failed write is logged, never allowed to break the chat.
 */
export class TrackedProcessor implements Processor {
  constructor(
    private readonly inner: Processor,
    private readonly tracker: UsageTracker,
    private readonly logger: Logger,
  ) {}

  get kind(): Processor['kind'] {
    return this.inner.kind;
  }

  async *chat(request: ChatRequest, signal: AbortSignal): AsyncGenerator<ChatEvent> {
    for await (const event of this.inner.chat(request, signal)) {
      if (event.type === 'done') {
        try {
          await this.tracker.record({
            npcId: request.npcId,
            processor: this.inner.kind,
            model: event.model,
            inputTokens: event.usage.promptTokens,
            outputTokens: event.usage.replyTokens,
            latencyMs: event.usage.latencyMs,
          });
        } catch (err) {
          this.logger.warn({ err, npcId: request.npcId }, 'Usage record not written');
        }
      }
      yield event;
    }
  }
}
