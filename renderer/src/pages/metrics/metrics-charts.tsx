// The three charts: calls, error rate, latency percentiles, over one shared time axis.
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { SeriesPoint } from './metrics-series.ts';

function tick(rangeMinutes: number) {
  return (t: number) => {
    const date = new Date(t);
    const time = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    return rangeMinutes > 1440 ? `${date.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${time}` : time;
  };
}

const labelOf = (t: unknown) => (typeof t === 'number' ? new Date(t).toLocaleString() : String(t));

export function MetricsCharts({ series, rangeMinutes }: { series: readonly SeriesPoint[]; rangeMinutes: number }) {
  const data = [...series];
  const xAxis = (
    <XAxis
      dataKey="t"
      type="number"
      scale="time"
      domain={['dataMin', 'dataMax']}
      tickFormatter={tick(rangeMinutes)}
      minTickGap={40}
    />
  );
  return (
    <div className="charts">
      <figure className="chart" aria-label="Calls over time">
        <figcaption>Calls</figcaption>
        <ResponsiveContainer width="100%" height={200}>
          <BarChart data={data}>
            <CartesianGrid strokeDasharray="3 3" className="chart-grid" />
            {xAxis}
            <YAxis allowDecimals={false} width={48} />
            <Tooltip labelFormatter={labelOf} />
            <Legend />
            <Bar dataKey="calls" name="calls" fill="var(--chart-1)" isAnimationActive={false} />
            <Bar dataKey="errors" name="errors" fill="var(--chart-error)" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </figure>
      <figure className="chart" aria-label="Error rate over time">
        <figcaption>Error rate (%)</figcaption>
        <ResponsiveContainer width="100%" height={200}>
          <LineChart data={data}>
            <CartesianGrid strokeDasharray="3 3" className="chart-grid" />
            {xAxis}
            <YAxis domain={[0, 100]} width={48} unit="%" />
            <Tooltip labelFormatter={labelOf} />
            <Line
              dataKey="errorRate"
              name="error rate"
              stroke="var(--chart-error)"
              dot={false}
              connectNulls={false}
              isAnimationActive={false}
            />
          </LineChart>
        </ResponsiveContainer>
      </figure>
      <figure className="chart" aria-label="Latency percentiles over time">
        <figcaption>Latency (ms): p50, p95, p99, the slowest series in each interval</figcaption>
        <ResponsiveContainer width="100%" height={220}>
          <LineChart data={data}>
            <CartesianGrid strokeDasharray="3 3" className="chart-grid" />
            {xAxis}
            <YAxis width={56} unit=" ms" />
            <Tooltip labelFormatter={labelOf} />
            <Legend />
            <Line dataKey="p50" name="p50" stroke="var(--chart-1)" dot={false} isAnimationActive={false} />
            <Line dataKey="p95" name="p95" stroke="var(--chart-2)" dot={false} isAnimationActive={false} />
            <Line dataKey="p99" name="p99" stroke="var(--chart-3)" dot={false} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </figure>
    </div>
  );
}
