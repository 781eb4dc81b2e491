// One-minute rollups (per server, or per tool of one server) folded into time buckets for the charts, and into
// totals per server and tool for the table. Percentiles of different series cannot be merged exactly, so a
// bucket shows the highest of its series: the slowest server or tool sets the line.
import type { MetricsView } from '../../../../preload/contract.ts';

const MINUTE_MS = 60_000;
/** At most this many points per chart line. */
const MAX_POINTS = 180;

export interface SeriesPoint {
  /** The bucket's start, ms since the epoch. */
  readonly t: number;
  readonly calls: number;
  readonly errors: number;
  /** Percent of calls that failed; null when there were none. */
  readonly errorRate: number | null;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
}

export interface Totals {
  readonly server: string;
  readonly tool: string;
  readonly calls: number;
  readonly errors: number;
  readonly p95: number | null;
}

/** A rollup's minute as ms since the epoch, whether the core sent ms or whole minutes. */
function minuteMs(minute: number): number {
  return minute < 1e11 ? minute * MINUTE_MS : minute;
}

function max(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}

function bucketMinutes(rangeMinutes: number): number {
  return Math.max(1, Math.ceil(rangeMinutes / MAX_POINTS));
}

export function seriesOf(view: MetricsView, rangeMinutes: number, now: number): SeriesPoint[] {
  const size = bucketMinutes(rangeMinutes) * MINUTE_MS;
  const end = Math.floor(now / size) * size;
  const start = end - Math.ceil((rangeMinutes * MINUTE_MS) / size) * size;
  const buckets = new Map<
    number,
    { calls: number; errors: number; p50: number | null; p95: number | null; p99: number | null }
  >();
  for (let t = start; t <= end; t += size) buckets.set(t, { calls: 0, errors: 0, p50: null, p95: null, p99: null });
  for (const point of view.points) {
    const t = Math.floor(minuteMs(point.minute) / size) * size;
    const bucket = buckets.get(t);
    if (bucket === undefined) continue;
    bucket.calls += point.calls;
    bucket.errors += point.errors;
    bucket.p50 = max(bucket.p50, point.p50Ms);
    bucket.p95 = max(bucket.p95, point.p95Ms);
    bucket.p99 = max(bucket.p99, point.p99Ms);
  }
  return [...buckets.entries()].map(([t, b]) => ({
    t,
    calls: b.calls,
    errors: b.errors,
    errorRate: b.calls === 0 ? null : Math.round((b.errors / b.calls) * 1000) / 10,
    p50: b.p50,
    p95: b.p95,
    p99: b.p99,
  }));
}

export function totalsOf(view: MetricsView): Totals[] {
  const totals = new Map<string, { server: string; tool: string; calls: number; errors: number; p95: number | null }>();
  for (const point of view.points) {
    const key = `${point.server}\u0000${point.tool}`;
    const total = totals.get(key) ?? { server: point.server, tool: point.tool, calls: 0, errors: 0, p95: null };
    total.calls += point.calls;
    total.errors += point.errors;
    total.p95 = max(total.p95, point.p95Ms);
    totals.set(key, total);
  }
  return [...totals.values()].sort((a, b) => b.calls - a.calls);
}
