import { useEffect, useRef, useState } from 'react';
import { LOG_LEVELS, type LogLevel, type LogLine } from '../../../shared/logs';
import { bridge } from '../bridge';
import { ErrorNote } from '../components/Field';
import { useAction, useStudioEvent } from '../hooks';

const KEEP = 1000;

export function LogsPanel() {
  const [level, setLevel] = useState<LogLevel>('info');
  const [lines, setLines] = useState<LogLine[]>([]);
  const [follow, setFollow] = useState(true);
  const bottom = useRef<HTMLDivElement>(null);
  const { error, run } = useAction();

  useEffect(() => {
    let current = true;
    void run(() => bridge().invoke('logs.tail', { limit: 500, level })).then((tail) => {
      if (current && tail) setLines(tail);
    });
    return () => {
      current = false;
    };
  }, [level, run]);

  useStudioEvent('log.line', (line) => {
    if (LOG_LEVELS.indexOf(line.level) < LOG_LEVELS.indexOf(level)) return;
    setLines((all) => (all.length >= KEEP ? [...all.slice(-(KEEP - 1)), line] : [...all, line]));
  });

  useEffect(() => {
    if (follow) bottom.current?.scrollIntoView({ block: 'end' });
  }, [lines, follow]);

  return (
    <section className="panel logs-panel" data-testid="panel-logs">
      <div className="toolbar">
        <label>
          Level{' '}
          <select data-testid="logs-level" value={level} onChange={(e) => setLevel(e.target.value as LogLevel)}>
            {LOG_LEVELS.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label className="inline">
          <input type="checkbox" data-testid="logs-follow" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> follow
        </label>
        <button data-testid="logs-clear" onClick={() => setLines([])}>
          Clear view
        </button>
      </div>
      <ErrorNote error={error} testId="logs-error" />
      <div className="log-lines" data-testid="logs-lines">
        {lines.map((line, i) => (
          <div key={`${line.time}-${i}`} className={`log-line ${line.level}`} data-testid="log-line" data-level={line.level}>
            <time>{new Date(line.time).toLocaleTimeString()}</time>
            <span className="level">{line.level.toUpperCase()}</span>
            {line.module && <span className="module">{line.module}</span>}
            <span className="msg">{line.msg}</span>
            {Object.keys(line.fields).length > 0 && <span className="fields">{JSON.stringify(line.fields)}</span>}
          </div>
        ))}
        <div ref={bottom} />
      </div>
    </section>
  );
}
