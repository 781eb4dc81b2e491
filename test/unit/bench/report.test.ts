import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LoadResult, TargetResult } from '../../../bench/compare.ts';
import { buildReport, formatReport } from '../../../bench/report.ts';

/** A target's figures, every latency `ms` and throughput `rps`, at concurrency 16 and 64. */
function result(name: string, ms: number, rps: number): TargetResult {
  const load = (concurrency: number): LoadResult => ({
    concurrency,
    rps,
    p50Ms: ms * concurrency,
    p99Ms: ms * concurrency * 2,
    perRound: [{ rps, p50Ms: ms * concurrency, p99Ms: ms * concurrency * 2 }],
  });
  return {
    name,
    latency: { p50Ms: ms, p99Ms: ms * 2 },
    rps,
    loads: [load(16), load(64)],
    measuredCalls: 100,
    cpuUsPerCall: name === 'stdio-direct' ? null : 50,
    peakRssMb: name === 'stdio-direct' ? null : 60,
    processesPerSession: name === 'switchboard' ? 0 : 2,
    big: { kind: 'accepted', p50Ms: 5, peakRssMb: 70 },
    perRound: [{ p50Ms: ms, rps, cpuUsPerCall: 50 }],
  };
}

const TEN = { servers: 10, peakRssMb: 100, readings: [100], rssMb: 90, children: 10, watchdogs: 1 };
const LOAD = { start: 0.5, end: 0.6 };

test('latency at concurrency 16 and 64 is a row per target and a ratio to http-floor at the same concurrency', () => {
  const results = [
    result('stdio-direct', 0.1, 9000),
    result('http-floor', 0.2, 5000),
    result('switchboard', 0.3, 4000),
    result('supergateway', 0.4, 2000),
  ];
  const report = buildReport(results, TEN, 100, false, LOAD);
  const sb64 = report.rows.find((r) => r.name === 'switchboard c64');
  assert.deepEqual({ p50: sb64?.p50_ms, p99: sb64?.p99_ms, rps: sb64?.rps }, { p50: 19.2, p99: 38.4, rps: 4000 });
  const ratio = report.checks.find((c) => c.name === 'c16 p50 / p99 over http-floor, switchboard');
  assert.equal(ratio?.value, '1.50x / 1.50x');
  assert.equal(ratio?.pass, null);
  assert.ok(report.checks.some((c) => c.name === 'c64 p50 / p99 over http-floor, supergateway'));
  assert.ok(!report.checks.some((c) => c.name.endsWith('over http-floor, http-floor')));
  assert.ok(formatReport(report).includes('switchboard c16'));
});

test('mcp-proxy is compared as a peer when measured, and named with what to do when not installed', () => {
  const base = [result('http-floor', 0.2, 5000), result('switchboard', 0.3, 4000), result('supergateway', 0.4, 2000)];
  const without = buildReport(base, TEN, 100, false, LOAD, [
    'mcp-proxy: not installed (add it as a devDependency to compare)',
  ]);
  assert.ok(formatReport(without).includes('mcp-proxy: not installed (add it as a devDependency to compare)'));
  assert.ok(!without.checks.some((c) => c.name.includes('mcp-proxy')));

  const withProxy = buildReport([...base, result('mcp-proxy', 0.5, 1000)], TEN, 100, false, LOAD);
  const rps = withProxy.checks.find((c) => c.name === 'switchboard rps / mcp-proxy rps');
  assert.equal(rps?.value, '4.00x');
  assert.ok(withProxy.rows.some((r) => r.name === 'mcp-proxy c64'));
});

test('the core RSS check holds the median of several starts to the target and shows every reading', () => {
  const results = [
    result('http-floor', 0.2, 5000),
    result('switchboard', 0.3, 4000),
    result('supergateway', 0.4, 2000),
  ];
  const ten = { ...TEN, peakRssMb: 148.2, readings: [151.5, 148.2, 139.9, 156.0, 144.1] };
  const report = buildReport(results, ten, 100, false, LOAD);
  const check = report.checks.find((c) => c.name.startsWith('core peak RSS with 10 servers'));
  assert.equal(check?.name, 'core peak RSS with 10 servers (median of 5 starts)');
  assert.equal(check?.pass, true);
  const each = report.checks[report.checks.indexOf(check!) + 1];
  assert.deepEqual(each, { name: '  each start', value: '151.5, 148.2, 139.9, 156.0, 144.1', target: '', pass: null });
  const over = buildReport(results, { ...ten, peakRssMb: 150.1 }, 100, false, LOAD);
  assert.equal(over.checks.find((c) => c.name.startsWith('core peak RSS'))?.pass, false);
  assert.equal(report.rows.find((r) => r.name === 'switchboard 10 servers')?.rss_mb, 148.2);
});
