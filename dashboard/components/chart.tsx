/** A uPlot line chart sized to its container; series are redrawn when the data changes. */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface ChartSeries {
  readonly label: string;
  readonly values: ReadonlyArray<number | null>;
  readonly color: string;
}

export interface ChartProps {
  /** Bucket start times, in seconds since the epoch. */
  readonly times: readonly number[];
  readonly series: readonly ChartSeries[];
  readonly height?: number;
  readonly label: string;
}

export function Chart({ times, series, height = 260, label }: ChartProps) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const options: uPlot.Options = {
      width: element.clientWidth || 600,
      height,
      legend: { show: true },
      scales: { x: { time: true } },
      axes: [{}, { size: 50 }],
      series: [{}, ...series.map((item) => ({ label: item.label, stroke: item.color, width: 2, fill: `${item.color}22`, points: { show: times.length < 40 } }))],
    };
    const data = [times as number[], ...series.map((item) => item.values as Array<number | null>)] as uPlot.AlignedData;
    const plot = new uPlot(options, data, element);
    const resize = new ResizeObserver(() => plot.setSize({ width: element.clientWidth, height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [times, series, height]);
  return <div class="chart" ref={container} role="img" aria-label={label} />;
}
