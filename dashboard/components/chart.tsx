/** A uPlot line chart sized to its container, its time axis the whole span asked for; redrawn when the data changes. */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { formatTick, t } from '../i18n.ts';
import { BUCKET_SECONDS, type TimeSpan } from '../models/period.ts';

export interface ChartSeries {
  readonly label: string;
  readonly values: ReadonlyArray<number | null>;
  readonly color: string;
}

export interface ChartProps {
  /** Bucket start times, in seconds since the epoch. */
  readonly times: readonly number[];
  /** Seconds from one bucket to the next. */
  readonly step: number;
  /** What the time axis covers, however few the points: one point alone would otherwise be stretched over years. */
  readonly span: TimeSpan;
  readonly series: readonly ChartSeries[];
  readonly height?: number;
  readonly label: string;
}

const HOUR = BUCKET_SECONDS.hour;
const DAY = BUCKET_SECONDS.day;
/** The steps ticks may take; none finer than a bucket, so a chart of days is labelled in days. */
const TICK_STEPS = [HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 28 * DAY];

export function Chart({ times, step, span, series, height = 260, label }: ChartProps) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const unit = step >= DAY ? 'day' : 'hour';
    const options: uPlot.Options = {
      width: element.clientWidth || 600,
      height,
      legend: { show: true },
      scales: { x: { time: true, range: [span.from, span.to] } },
      // The server counts in UTC days and hours.
      tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
      axes: [
        { incrs: TICK_STEPS.filter((tick) => tick >= step), values: (_, splits) => splits.map((seconds) => formatTick(new Date(seconds * 1000), unit)) },
        { size: 50 },
      ],
      series: [
        // The point under the cursor as an ISO date (and hour), which reads the same in every language.
        { label: t('time'), value: (_, seconds) => (seconds === null ? '--' : new Date(seconds * 1000).toISOString().slice(0, unit === 'day' ? 10 : 16).replace('T', ' ')) },
        ...series.map((item) => ({ label: item.label, stroke: item.color, width: 2, fill: `${item.color}22`, points: { show: times.length < 40 } })),
      ],
    };
    const data = [times as number[], ...series.map((item) => item.values as Array<number | null>)] as uPlot.AlignedData;
    const plot = new uPlot(options, data, element);
    const resize = new ResizeObserver(() => plot.setSize({ width: element.clientWidth, height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [times, step, span, series, height]);
  return <div class="chart" ref={container} role="img" aria-label={label} />;
}
