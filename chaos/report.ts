// What `npm run chaos` prints and writes: per server group, how the calls ended; the faults injected; the
// expectations, each with its measured value and pass or fail. The same rows go to the table and to --json.
import { writeFile } from 'node:fs/promises';
import type { FaultCounts } from './faults.ts';
import type { CallRecord } from './load.ts';
import { SERVERS, type Group, type ServeExit } from './serve-process.ts';

export interface GroupRow {
  readonly group: Group;
  readonly calls: number;
  readonly ok: number;
  readonly toolErrors: number;
  readonly rpcErrors: number;
  readonly transportErrors: number;
  /** Calls that overlapped serve's deliberate kill and restart: their failures are expected. */
  readonly duringServeRestart: number;
  readonly overdue: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
}

export interface Check {
  readonly name: string;
  readonly value: string;
  readonly target: string;
  /** null for a check that was skipped (see notes). */
  readonly pass: boolean | null;
}

export interface ChaosReport {
  readonly plan: string;
  readonly seed: number;
  readonly durationS: number;
  readonly loadavg: { readonly start: number; readonly end: number };
  readonly rows: readonly GroupRow[];
  readonly faults: FaultCounts & { readonly serveKills: number; readonly serveRestartMs: readonly number[] };
  readonly serveExits: readonly ServeExit[];
  readonly memory: { readonly baselineMiB: number; readonly afterQuietMiB: number; readonly limitMiB: number };
  readonly audit: {
    readonly answered: number;
    readonly audited: number;
    readonly missing: readonly string[];
    readonly verified: boolean;
  };
  readonly checks: readonly Check[];
  readonly notes: readonly string[];
}

export interface Window {
  readonly from: number;
  readonly to: number;
}

export function overlaps(record: CallRecord, windows: readonly Window[]): boolean {
  const end = record.endedAt ?? Number.POSITIVE_INFINITY;
  return windows.some((w) => record.startedAt <= w.to && end >= w.from);
}

function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);
}

export function groupRows(
  records: readonly CallRecord[],
  outages: readonly Window[],
  isOverdue: (r: CallRecord) => boolean,
): GroupRow[] {
  const groups = [...new Set(SERVERS.map((s) => s.group))].filter((g) => records.some((r) => r.group === g));
  return groups.map((group) => {
    const mine = records.filter((r) => r.group === group);
    const count = (outcome: CallRecord['outcome']): number => mine.filter((r) => r.outcome === outcome).length;
    const latencies = mine.filter((r) => r.endedAt !== null).map((r) => r.endedAt! - r.startedAt);
    return {
      group,
      calls: mine.length,
      ok: count('ok'),
      toolErrors: count('tool-error'),
      rpcErrors: count('rpc-error'),
      transportErrors: count('transport-error'),
      duringServeRestart: mine.filter((r) => overlaps(r, outages)).length,
      overdue: mine.filter(isOverdue).length,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
    };
  });
}

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

export function formatReport(report: ChaosReport): string {
  const cell = (n: number | string | null): string => (n === null ? '-' : String(n));
  const calls = table(
    ['group', 'calls', 'ok', 'tool err', 'rpc err', 'transport err', 'in serve restart', 'overdue', 'p50 ms', 'p99 ms'],
    report.rows.map((r) =>
      [
        r.group,
        r.calls,
        r.ok,
        r.toolErrors,
        r.rpcErrors,
        r.transportErrors,
        r.duringServeRestart,
        r.overdue,
        r.p50Ms,
        r.p99Ms,
      ].map(cell),
    ),
  );
  const f = report.faults;
  const faults =
    `faults: ${f.upstreamKills} upstream kill -9, ${f.serveKills} serve kill -9 (back in ${f.serveRestartMs.map((ms) => `${Math.round(ms)} ms`).join(', ') || '-'}), ` +
    `${f.disconnects} mid-call disconnects, ${f.nonReaders} never-read streams, data directory read-only for ${Math.round(f.readOnlyMs / 1000)} s, ` +
    `disk full for ${Math.round(f.diskFullMs / 1000)} s (${Math.round(f.diskFillBytes / 1024 / 1024)} MiB filled), ${f.feedFaults} failed policy polls\n`;
  const checks = table(
    ['expectation', 'value', 'target', 'result'],
    report.checks.map((c) => [c.name, c.value, c.target, c.pass === null ? 'skipped' : c.pass ? 'pass' : 'FAIL']),
  );
  const notes = report.notes.map((n) => `note: ${n}\n`).join('');
  return (
    `\nchaos (${report.plan}, seed ${report.seed}, ${report.durationS} s, load average ${report.loadavg.start.toFixed(1)} -> ${report.loadavg.end.toFixed(1)})\n\n` +
    `${calls}\n${faults}\n${checks}${notes}`
  );
}

export async function writeJson(path: string, report: ChaosReport): Promise<void> {
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
}
