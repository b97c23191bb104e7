import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  /** One value per time, null for a gap. */
  values: (number | null)[];
  color: string;
}

/**
 * A small time chart (uPlot: canvas, ~50 KB, redraws 900 points in well under a millisecond, so a 1 Hz push
 * costs nothing to draw). Times are ms since the epoch; the x axis shows clock times.
 */
export function TimeChart(props: { title: string; times: number[]; series: ChartSeries[]; format: (v: number) => string; testId: string }) {
  const holder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const { title, times, series, format, testId } = props;
  const shape = series.map((s) => s.label).join('|');

  useEffect(() => {
    if (!holder.current) return;
    const options: uPlot.Options = {
      width: 300,
      height: 110,
      legend: { show: false },
      cursor: { show: true, points: { show: false } },
      scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min), Math.max(max * 1.1, 1e-9)] } },
      axes: [
        { size: 24, font: '10px system-ui', stroke: '#666' },
        { size: 56, font: '10px system-ui', stroke: '#666', values: (_u, ticks) => ticks.map((t) => format(t)) },
      ],
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, spanGaps: false }))],
    };
    plot.current = new uPlot(options, [[], ...series.map(() => [])], holder.current);
    return () => {
      plot.current?.destroy();
      plot.current = null;
    };
    // Rebuilt only when the series change (`shape`); data updates go through setData below.
  }, [shape]);

  useEffect(() => {
    plot.current?.setData([times.map((t) => t / 1000), ...series.map((s) => s.values)] as uPlot.AlignedData);
  }, [times, series]);

  return (
    <figure className="time-chart" data-testid={testId} data-points={times.length}>
      <figcaption>{title}</figcaption>
      <div ref={holder} />
    </figure>
  );
}
