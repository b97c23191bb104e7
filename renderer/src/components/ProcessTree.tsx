import type { ProcessFigures } from '../../../shared/health';
import { formatBytes, formatCount, formatPercent } from '../format';

const SOURCE_WORDS: Record<string, string> = {
  node: "Node's own accounting",
  pidusage: 'pidusage (ps / Windows WMI)',
  proc: 'Linux /proc',
  'dev-fd': 'macOS /dev/fd',
  provider: 'what the studio told it',
  unknown: 'this OS does not tell',
};

function Cell(props: { value: string; source: string | undefined; testId: string }) {
  const source = props.source ?? 'unknown';
  return (
    <td data-testid={props.testId} data-source={source} title={`from ${SOURCE_WORDS[source] ?? source}`}>
      {props.value}
    </td>
  );
}

/** The host and the processes it started, one row each, every figure with its source on hover. */
export function ProcessTree(props: { processes: ProcessFigures[] }) {
  return (
    <table className="process-tree" data-testid="process-tree">
      <thead>
        <tr>
          <th>Process</th>
          <th>pid</th>
          <th>Memory</th>
          <th>CPU</th>
          <th>Open files</th>
          <th>Listening on</th>
        </tr>
      </thead>
      <tbody>
        {props.processes.map((p) => (
          <tr key={p.pid} data-testid="process-row" data-pid={p.pid} className={p.parentPid === null ? 'root' : 'child'}>
            <td>{p.parentPid === null ? p.name : `└ ${p.name}`}</td>
            <td>{p.pid}</td>
            <Cell testId="process-rss" value={formatBytes(p.rssBytes)} source={p.sources.rssBytes} />
            <Cell testId="process-cpu" value={formatPercent(p.cpuPercent)} source={p.sources.cpuPercent} />
            <Cell testId="process-fds" value={formatCount(p.openFds)} source={p.sources.openFds} />
            <Cell
              testId="process-ports"
              value={p.listeningPorts === null ? 'unknown' : p.listeningPorts.length ? p.listeningPorts.join(', ') : 'none'}
              source={p.sources.listeningPorts}
            />
          </tr>
        ))}
      </tbody>
    </table>
  );
}
