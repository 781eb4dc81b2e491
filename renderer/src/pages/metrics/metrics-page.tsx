// Metrics: calls, error rate and latency percentiles over time from the core's one-minute rollups, for all
// servers or one (then per tool), and the totals behind them. Rollups are written as each minute ends, so the
// page re-reads once a minute.
import { useEffect, useMemo } from 'react';
import { useStore } from 'zustand';
import { useStores } from '../../app/stores-context.tsx';
import { EmptyState } from '../../ui/empty-state.tsx';
import { ErrorNote } from '../../ui/error-note.tsx';
import { formatDuration } from '../../ui/format.ts';
import { RANGES } from '../../stores/metrics-store.ts';
import { MetricsCharts } from './metrics-charts.tsx';
import { seriesOf, totalsOf } from './metrics-series.ts';
import { Page } from '../../ui/page.tsx';

const REFRESH_MS = 60_000;

export function MetricsPage() {
  const stores = useStores();
  const minutes = useStore(stores.metrics, (s) => s.minutes);
  const server = useStore(stores.metrics, (s) => s.server);
  const view = useStore(stores.metrics, (s) => s.view);
  const error = useStore(stores.metrics, (s) => s.error);
  const choose = useStore(stores.metrics, (s) => s.choose);
  const refresh = useStore(stores.metrics, (s) => s.refresh);
  const servers = useStore(stores.servers, (s) => s.servers);
  const refreshServers = useStore(stores.servers, (s) => s.refresh);

  useEffect(() => {
    void refresh();
    if (servers === null) void refreshServers();
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => clearInterval(timer);
    // Server names are read once, for the selector; the Servers page keeps them current.
  }, [refresh, refreshServers]);

  const series = useMemo(() => (view === null ? [] : seriesOf(view, minutes, Date.now())), [view, minutes]);
  const totals = useMemo(() => (view === null ? [] : totalsOf(view)), [view]);

  return (
    <Page
      title="Metrics"
      actions={
        <div className="toolbar">
          <label className="filter">
            <span>Range</span>
            <select value={minutes} onChange={(event) => choose({ minutes: Number(event.target.value) })}>
              {RANGES.map((range) => (
                <option key={range.minutes} value={range.minutes}>
                  {range.label}
                </option>
              ))}
            </select>
          </label>
          <label className="filter">
            <span>Server</span>
            <select value={server} onChange={(event) => choose({ server: event.target.value })}>
              <option value="">All servers</option>
              {(servers ?? []).map((s) => (
                <option key={s.name} value={s.name}>
                  {s.name}
                </option>
              ))}
            </select>
          </label>
        </div>
      }
    >
      <ErrorNote error={error} />
      {view !== null && view.points.length === 0 && (
        <EmptyState title="No calls in this range">
          <p>
            Charts fill in as tools are called through the gateway; each minute is added once it ends. Try a longer
            range, or <a href="#/tools">try a tool</a>.
          </p>
        </EmptyState>
      )}
      {view !== null && view.points.length > 0 && (
        <>
          <MetricsCharts series={series} rangeMinutes={minutes} />
          <table className="totals">
            <caption>Totals {server === '' ? 'by server and tool' : `by tool of ${server}`}</caption>
            <thead>
              <tr>
                <th scope="col">Server</th>
                <th scope="col">Tool</th>
                <th scope="col">Calls</th>
                <th scope="col">Errors</th>
                <th scope="col">Error rate</th>
                <th scope="col">Worst p95</th>
              </tr>
            </thead>
            <tbody>
              {totals.map((row) => (
                <tr key={`${row.server}/${row.tool}`}>
                  <td>{row.server}</td>
                  <td>{row.tool || '—'}</td>
                  <td className="num">{row.calls}</td>
                  <td className="num">{row.errors}</td>
                  <td className="num">{row.calls === 0 ? '—' : `${((row.errors / row.calls) * 100).toFixed(1)} %`}</td>
                  <td className="num">{formatDuration(row.p95)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Page>
  );
}
