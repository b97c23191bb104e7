/** How often a streaming reply's new text is journaled (each write is fsynced). */
export const DRAFT_EVERY_MS = 250;

/**
 * Journals a streaming reply's text in batches, so a host killed mid-stream leaves what was said so far
 * (transcript-store recovers it as interrupted). At most one write is in flight; text that arrives meanwhile
 * goes into the next. A failed write is reported and the reply goes on: the final save still holds all of it.
 */
export class ReplyDraft {
  /** Text not yet written, as its tokens (see reply-text.ts for why not one string). */
  private pending: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly write: (text: string) => Promise<void>,
    private readonly onError: (err: unknown) => void,
    private readonly everyMs = DRAFT_EVERY_MS,
  ) {}

  add(text: string): void {
    if (this.closed || text === '') return;
    this.pending.push(text);
    this.timer ??= setTimeout(() => this.flush(), this.everyMs);
  }

  /** Stops journaling and waits for a write in flight; the reply's final save follows and closes the draft. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.writing;
  }

  private flush(): void {
    this.timer = null;
    this.writing = this.writing
      .then(async () => {
        // Taken when the write starts, so flushes queued behind a slow one merge into it.
        const text = this.pending.join('');
        this.pending = [];
        if (text && !this.closed) await this.write(text);
      })
      .catch(this.onError);
  }
}
