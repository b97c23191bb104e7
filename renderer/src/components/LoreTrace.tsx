import type { ActivationTrace, TracedBook } from '../../../shared/lorebook-trace';
import { bookName, firedWords, placeWords } from '../lore-words';

/**
 * Which lorebook entries fired and why, and which were left out and why: under a chat reply (compact,
 * expandable) and in the lorebook editor's "try a message" box.
 */
export function LoreTraceView(props: {
  trace: Pick<ActivationTrace, 'activated' | 'skipped'> & { quietSkips?: number; tokens: number; tokenBudget: number | null };
  books: readonly TracedBook[];
  testId: string;
  /** Show the entries' text too (the try box). */
  showContent?: boolean;
}) {
  const { trace, books } = props;
  const title = (e: { comment?: string; entry: string; book: string }) => `${e.comment || `entry ${e.entry}`}`;
  return (
    <div className="lore-trace" data-testid={props.testId}>
      {trace.activated.length === 0 && <p className="empty">No lorebook entry fired.</p>}
      <ul>
        {trace.activated.map((a) => (
          <li
            key={`${a.book}.${a.entry}`}
            data-testid={`${props.testId}-fired`}
            data-entry={a.comment ?? a.entry}
            data-reason={a.trace.reason}
          >
            <span className={`badge reason-${a.trace.reason}`}>fired</span> <strong>{title(a)}</strong>
            <small> · {bookName(books, a.book)}</small>
            <div className="why">{firedWords(a.trace)}</div>
            <small className="where">
              goes {placeWords(a)} · {a.tokens} tokens
            </small>
            {props.showContent && <p className="content">{a.content}</p>}
          </li>
        ))}
      </ul>
      {trace.skipped.length > 0 && (
        <details>
          <summary>
            Left out: {trace.skipped.length} {trace.skipped.length === 1 ? 'entry' : 'entries'}
          </summary>
          <ul>
            {trace.skipped.map((s) => (
              <li
                key={`${s.book}.${s.entry}`}
                data-testid={`${props.testId}-skipped`}
                data-entry={s.comment ?? s.entry}
                data-reason={s.reason}
              >
                <span className="badge">left out</span> <strong>{title(s)}</strong>
                <small> · {bookName(books, s.book)}</small>
                <div className="why">{s.detail}</div>
              </li>
            ))}
          </ul>
        </details>
      )}
      <small className="muted">
        {trace.tokens} lore tokens{trace.tokenBudget !== null ? ` of a budget of ${trace.tokenBudget}` : ''}
        {trace.quietSkips ? ` · ${trace.quietSkips} other ${trace.quietSkips === 1 ? 'entry' : 'entries'} had no keyword match` : ''}
      </small>
    </div>
  );
}
