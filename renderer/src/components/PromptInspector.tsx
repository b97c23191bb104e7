import type { LoreUsed, PromptInspection } from '../../../shared/chat';

export function LoreUsedView(props: { lore: LoreUsed }) {
  const { entries, chunks, entriesDropped = 0, chunksDropped = 0 } = props.lore;
  if (entries.length === 0 && chunks.length === 0 && entriesDropped === 0 && chunksDropped === 0) return null;
  return (
    <details className="lore-used" data-testid="chat-lore">
      <summary>
        Lore used: {entries.length} lorebook {entries.length === 1 ? 'entry' : 'entries'}, {chunks.length} knowledge{' '}
        {chunks.length === 1 ? 'chunk' : 'chunks'}
        {(entriesDropped > 0 || chunksDropped > 0) && (
          <span className="badge warn" data-testid="chat-lore-dropped">
            left out for space: {entriesDropped} entries, {chunksDropped} chunks
          </span>
        )}
      </summary>
      {entries.map((entry, i) => (
        <div className="lore-item" key={`e${i}`} data-testid="chat-lore-entry">
          <span className="badge">lorebook</span> <strong>{entry.comment || entry.keys.join(', ')}</strong>
          {entry.matchedKeys && entry.matchedKeys.length > 0 && <small> · matched {entry.matchedKeys.join(', ')}</small>}
          {entry.reason === 'constant' && <small> · always on</small>}
          <p>{entry.content}</p>
        </div>
      ))}
      {chunks.map((chunk, i) => (
        <div className="lore-item" key={`c${i}`} data-testid="chat-lore-chunk">
          <span className="badge">source</span>{' '}
          <cite data-testid="chat-lore-source" data-source-id={chunk.sourceId ?? ''}>
            {chunk.source}
          </cite>
          {chunk.distance !== undefined && <small> · distance {chunk.distance.toFixed(3)}</small>}
          <p>{chunk.text}</p>
        </div>
      ))}
    </details>
  );
}

export function PromptInspector(props: { prompt: PromptInspection }) {
  const { parts, contextSize, totalTokens, estimator, replyReserve, historyDropped } = props.prompt;
  const over = totalTokens > contextSize;
  return (
    <details className="prompt-inspector" data-testid="chat-prompt">
      <summary>
        Prompt: <span data-testid="chat-prompt-total">{totalTokens}</span> / {contextSize} tokens
        {over && <span className="badge danger"> over the context size</span>}
      </summary>
      <table>
        <thead>
          <tr>
            <th>Part</th>
            <th>Tokens</th>
            <th>Share of context</th>
          </tr>
        </thead>
        <tbody>
          {parts.map((part, i) => (
            <tr key={i} data-testid="chat-prompt-part" data-part={part.name} title={part.text?.slice(0, 2000)}>
              <td>{part.name}</td>
              <td>{part.tokens}</td>
              <td>
                <meter min={0} max={contextSize} value={part.tokens} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <small>
        Token counts are estimates ({estimator}).
        {replyReserve !== undefined && ` ${replyReserve} tokens kept for the reply.`}
        {historyDropped ? ` ${historyDropped} oldest messages trimmed to fit.` : ''}
      </small>
    </details>
  );
}
