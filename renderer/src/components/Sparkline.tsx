/** Latency over the last minute; gaps where a check gave no figure. */
export function Sparkline(props: { values: (number | null)[]; width?: number; height?: number; capacity?: number }) {
  const width = props.width ?? 180;
  const height = props.height ?? 36;
  const capacity = props.capacity ?? 60;
  const numbers = props.values.filter((v): v is number => v !== null);
  const max = Math.max(1, ...numbers);
  const step = width / Math.max(1, capacity - 1);
  const offset = capacity - props.values.length;
  const segments: string[][] = [[]];
  props.values.forEach((v, i) => {
    if (v === null) return void segments.push([]);
    segments[segments.length - 1]!.push(`${((offset + i) * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`);
  });
  const last = numbers.at(-1);
  return (
    <svg className="sparkline" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`latency, last ${last ?? 'n/a'} ms, max ${max} ms`} data-testid="resource-sparkline" data-samples={props.values.length}>
      <line x1={0} y1={height - 1} x2={width} y2={height - 1} className="axis" />
      {segments
        .filter((s) => s.length > 0)
        .map((points, i) => (
          <polyline key={i} points={points.join(' ')} fill="none" />
        ))}
    </svg>
  );
}
