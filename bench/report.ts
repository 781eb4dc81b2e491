// The benchmark's output: one row per measurement (the same rows in the table and in --json), then the ratios
// the issue sets targets for, each marked pass or fail. Ratios compare targets measured in the same run.
import { writeFile } from 'node:fs/promises';
import type { TargetResult } from './compare.ts';
import type { TenServersResult } from './ten-servers.ts';

export interface Row {
  readonly name: string;
  readonly p50_ms: number | null;
  readonly p99_ms: number | null;
  readonly rps: number | null;
  readonly cpu_us_per_call: number | null;
  readonly rss_mb: number | null;
  /** Why a cell is empty when that is itself the result, for example "refused (413)". */
  readonly note?: string;
}

export interface Check {
  readonly name: string;
  /** The measured value as shown, for example "1.04x" or "0". */
  readonly value: string;
  readonly target: string;
  /** null for figures reported for comparison only. */
  readonly pass: boolean | null;
}

export interface Report {
  readonly quick: boolean;
  /** One-minute load average when the run started and ended: other work on the machine skews every figure. */
  readonly loadavg: { readonly start: number; readonly end: number };
  readonly rows: readonly Row[];
  readonly checks: readonly Check[];
  /** Lines printed under the checks, for example a peer that could not be measured and why. */
  readonly notes: readonly string[];
}

const TARGETS = {
  p50OverHttpFloor: 1.1,
  rpsOverSupergateway: 1.2,
  cpuOverSupergateway: 0.6,
  coreRssMb: 150,
} as const;

export function buildReport(
  results: readonly TargetResult[],
  tenServers: TenServersResult,
  auditedCalls: number,
  quick: boolean,
  loadavg: Report['loadavg'],
  notes: readonly string[] = [],
): Report {
  const rows: Row[] = results.map((r) => ({
    name: r.name,
    p50_ms: round(r.latency.p50Ms, 3),
    p99_ms: round(r.latency.p99Ms, 3),
    rps: round(r.rps, 0),
    cpu_us_per_call: r.cpuUsPerCall === null ? null : round(r.cpuUsPerCall, 1),
    rss_mb: r.peakRssMb === null ? null : round(r.peakRssMb, 1),
  }));
  for (const r of results) {
    for (const load of r.loads) {
      rows.push({
        name: `${r.name} c${load.concurrency}`,
        p50_ms: round(load.p50Ms, 3),
        p99_ms: round(load.p99Ms, 3),
        rps: round(load.rps, 0),
        cpu_us_per_call: null,
        rss_mb: null,
      });
    }
  }
  for (const r of results) {
    const name = `${r.name} 1MiB`;
    const empty = { p99_ms: null, rps: null, cpu_us_per_call: null };
    rows.push(
      r.big.kind === 'accepted'
        ? { name, p50_ms: round(r.big.p50Ms, 3), ...empty, rss_mb: opt(r.big.peakRssMb, 1) }
        : { name, p50_ms: null, ...empty, rss_mb: null, note: `refused (${r.big.status})` },
    );
  }
  rows.push({
    name: `switchboard ${tenServers.servers} servers`,
    p50_ms: null,
    p99_ms: null,
    rps: null,
    cpu_us_per_call: null,
    rss_mb: round(tenServers.peakRssMb, 1),
  });
  return { quick, loadavg, rows, checks: buildChecks(results, tenServers, auditedCalls), notes };
}

function buildChecks(results: readonly TargetResult[], ten: TenServersResult, auditedCalls: number): Check[] {
  const by = (name: string): TargetResult => {
    const found = results.find((r) => r.name === name);
    if (!found) throw new Error(`no results for ${name}`);
    return found;
  };
  const sb = by('switchboard');
  const floor = by('http-floor');
  const peer = by('supergateway');
  const checks: Check[] = [];
  const ratio = (name: string, value: number, target: number, atMost: boolean, perRound: number[]): void => {
    checks.push({
      name,
      value: `${value.toFixed(2)}x`,
      target: `${atMost ? '<=' : '>='} ${target.toFixed(2)}x`,
      pass: atMost ? value <= target : value >= target,
    });
    // How far the same ratio moves between the rounds of this run: a verdict near the target inside this spread
    // says little on its own.
    if (perRound.length > 1) {
      checks.push({
        name: `  per round (${perRound.length})`,
        value: `${Math.min(...perRound).toFixed(2)}-${Math.max(...perRound).toFixed(2)}x`,
        target: '',
        pass: null,
      });
    }
  };
  const rounds = (a: TargetResult, b: TargetResult, pick: (x: TargetResult['perRound'][number]) => number | null) =>
    a.perRound.flatMap((x, i) => {
      const top = pick(x);
      const bottom = b.perRound[i] === undefined ? null : pick(b.perRound[i]!);
      return top === null || bottom === null || bottom === 0 ? [] : [top / bottom];
    });
  ratio(
    'switchboard p50 / http-floor p50',
    sb.latency.p50Ms / floor.latency.p50Ms,
    TARGETS.p50OverHttpFloor,
    true,
    rounds(sb, floor, (x) => x.p50Ms),
  );
  ratio(
    'switchboard rps / supergateway rps',
    sb.rps / peer.rps,
    TARGETS.rpsOverSupergateway,
    false,
    rounds(sb, peer, (x) => x.rps),
  );
  if (sb.cpuUsPerCall !== null && peer.cpuUsPerCall !== null) {
    ratio(
      'switchboard cpu / supergateway cpu',
      sb.cpuUsPerCall / peer.cpuUsPerCall,
      TARGETS.cpuOverSupergateway,
      true,
      rounds(sb, peer, (x) => x.cpuUsPerCall),
    );
  }
  // Latency under load against the floor's at the same concurrency, for every target: no target is set for these,
  // they show where each hop's queueing starts to cost.
  for (const [i, load] of floor.loads.entries()) {
    for (const r of results.filter((x) => x !== floor)) {
      const mine = r.loads[i]!;
      checks.push({
        name: `c${load.concurrency} p50 / p99 over http-floor, ${r.name}`,
        value: `${(mine.p50Ms / load.p50Ms).toFixed(2)}x / ${(mine.p99Ms / load.p99Ms).toFixed(2)}x`,
        target: '(compare)',
        pass: null,
      });
    }
  }
  // A further peer, when installed: compared like supergateway, without a target of its own.
  const proxy = results.find((r) => r.name === 'mcp-proxy');
  if (proxy !== undefined) {
    checks.push({
      name: 'switchboard rps / mcp-proxy rps',
      value: `${(sb.rps / proxy.rps).toFixed(2)}x`,
      target: '(peer)',
      pass: null,
    });
    if (sb.cpuUsPerCall !== null && proxy.cpuUsPerCall !== null) {
      checks.push({
        name: 'switchboard cpu / mcp-proxy cpu',
        value: `${(sb.cpuUsPerCall / proxy.cpuUsPerCall).toFixed(2)}x`,
        target: '(peer)',
        pass: null,
      });
    }
    checks.push({
      name: 'processes per client session, mcp-proxy',
      value: String(proxy.processesPerSession),
      target: '(peer)',
      pass: null,
    });
  }
  checks.push({
    name: 'processes per client session, switchboard',
    value: String(sb.processesPerSession),
    target: '0 (must not grow)',
    pass: sb.processesPerSession === 0,
  });
  checks.push({
    name: 'processes per client session, supergateway',
    value: String(peer.processesPerSession),
    target: '(peer)',
    pass: null,
  });
  checks.push({
    name: '1 MiB argument, switchboard',
    value: sb.big.kind === 'accepted' ? 'accepted' : `refused (${sb.big.status})`,
    target: 'accepted',
    pass: sb.big.kind === 'accepted',
  });
  checks.push({
    name: `core peak RSS with ${ten.servers} servers${ten.readings.length > 1 ? ` (median of ${ten.readings.length} starts)` : ''}`,
    value: `${ten.peakRssMb.toFixed(1)} MB`,
    target: `<= ${TARGETS.coreRssMb} MB`,
    pass: ten.peakRssMb <= TARGETS.coreRssMb,
  });
  if (ten.readings.length > 1) {
    checks.push({
      name: '  each start',
      value: ten.readings.map((mb) => mb.toFixed(1)).join(', '),
      target: '',
      pass: null,
    });
  }
  checks.push({
    name: `server processes under serve with ${ten.servers} servers`,
    value: `${ten.children} (+${ten.watchdogs} watchdog)`,
    target: String(ten.servers),
    pass: ten.children === ten.servers,
  });
  checks.push({
    name: 'tool calls in switchboard audit log',
    value: String(auditedCalls),
    target: `>= ${sb.measuredCalls} (measured calls)`,
    pass: auditedCalls >= sb.measuredCalls,
  });
  return checks;
}

export function formatReport(report: Report): string {
  const columns = ['name', 'p50_ms', 'p99_ms', 'rps', 'cpu_us_per_call', 'rss_mb'] as const;
  const cells = report.rows.map((row) => [
    row.name,
    row.note ?? cell(row.p50_ms, 3),
    cell(row.p99_ms, 3),
    cell(row.rps, 0),
    cell(row.cpu_us_per_call, 1),
    cell(row.rss_mb, 1),
  ]);
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: readonly string[]): string =>
    values.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  const out = [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line), ''];

  const checkCells = report.checks.map((c) => [
    c.name,
    c.value,
    c.target,
    c.pass === null ? '-' : c.pass ? 'pass' : 'FAIL',
  ]);
  const header = ['ratios and checks (this run)', 'value', 'target', 'result'];
  const checkWidths = header.map((h, i) => Math.max(h.length, ...checkCells.map((r) => r[i]!.length)));
  const checkLine = (values: readonly string[]): string =>
    values
      .map((v, i) => v.padEnd(checkWidths[i]!))
      .join('  ')
      .trimEnd();
  out.push(checkLine(header), checkLine(checkWidths.map((w) => '-'.repeat(w))), ...checkCells.map(checkLine));
  if (report.notes.length > 0) out.push('', ...report.notes);
  const { start, end } = report.loadavg;
  out.push('', `load average (1 min): ${start.toFixed(2)} at start, ${end.toFixed(2)} at end`);
  if (report.quick) out.push('quick run: few calls per round; the ratios are a smoke test, not a measurement.');
  return out.join('\n') + '\n';
}

export async function writeJson(path: string, report: Report & Record<string, unknown>): Promise<void> {
  await writeFile(path, JSON.stringify(report, null, 2) + '\n');
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function opt(value: number | null, digits: number): number | null {
  return value === null ? null : round(value, digits);
}

function cell(value: number | null, digits: number): string {
  return value === null ? '-' : value.toFixed(digits);
}
