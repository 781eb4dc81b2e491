// On-demand servers (issue 11): what a first call costs beyond the server's own start, whether a warm call to an
// on-demand server costs anything against an always-on one, and the children's memory with 20 servers configured
// and 3 in use, on demand against always on. `node bench/on-demand.ts [--calls N]` runs this part alone.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { controlRequest } from '../main/control/control-client.ts';
import type { StatusReport } from '../main/core/status-report.ts';
import { latencyRound, median } from './measure.ts';
import { ECHO_SERVER } from './paths.ts';
import { descendants, memory } from './proc.ts';
import { connectStdio, echoCall } from './targets/connection.ts';
import { switchboard, type SwitchboardTarget } from './targets/switchboard.ts';

/** The target: a first call at most this much slower than the server's own start-to-ready. */
export const FIRST_CALL_OVERHEAD_TARGET_MS = 50;

const IDLE_MS = 300;
const CONFIGURED = 20;
const IN_USE = 3;

export interface OnDemandResult {
  readonly firstCalls: number;
  /** First call to an idle on-demand server, request sent to answer received (median). */
  readonly firstCallMs: number;
  /** The same server's start-to-ready as the supervisor measured it in those starts: spawn to initialized (median). */
  readonly startToReadyMs: number;
  /** The echo server spawned and initialized by a bare SDK client, no gateway (median), for reference. */
  readonly directStartMs: number;
  readonly warmCalls: number;
  readonly warmOnDemandP50Ms: number;
  readonly warmAlwaysP50Ms: number;
  /** Children's total resident memory, MiB: 20 configured, 3 called. */
  readonly rssOnDemandMb: number;
  readonly rssAlwaysMb: number;
  readonly childrenOnDemand: number;
  readonly childrenAlways: number;
}

async function status(target: SwitchboardTarget): Promise<StatusReport> {
  const answer = await controlRequest<StatusReport>(target.dataDir, 'GET', '/status');
  if (!answer.ok) throw new Error(`status: ${answer.error}`);
  return answer.value;
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function allIdle(target: SwitchboardTarget, names: readonly string[]): Promise<boolean> {
  const report = await status(target);
  return names.every((name) => report.servers.find((s) => s.name === name)?.state.state === 'idle');
}

function childrenRssMb(pid: number): { mb: number; count: number } {
  let mb = 0;
  const pids = descendants(pid);
  for (const child of pids) {
    try {
      mb += memory(child).rssMb;
    } catch {
      // Gone between the listing and the read.
    }
  }
  return { mb, count: pids.length };
}

/** The echo server started by a bare client: spawn to a finished initialize. */
async function directStart(): Promise<number> {
  const started = performance.now();
  const connection = await connectStdio(process.execPath, [ECHO_SERVER]);
  const ms = performance.now() - started;
  await connection.close();
  return ms;
}

async function firstCalls(
  calls: number,
  log: (m: string) => void,
): Promise<Pick<OnDemandResult, 'firstCallMs' | 'startToReadyMs'>> {
  const target = await switchboard({
    servers: ['od'],
    settings: { od: { start: 'on-demand', idleStopAfter: IDLE_MS } },
  });
  try {
    const connection = await target.connect();
    try {
      // The first listing starts it once to fill the list cache; after that it is listed while stopped.
      await connection.client.listTools();
      const call = echoCall(connection.client, 'od__echo');
      const first: number[] = [];
      const start: number[] = [];
      for (let i = 0; i < calls; i++) {
        await until(() => allIdle(target, ['od']), 'od to go idle');
        const t0 = performance.now();
        await call('first');
        first.push(performance.now() - t0);
        const od = (await status(target)).servers.find((s) => s.name === 'od')!;
        start.push(od.lastStartMs!);
      }
      log(`on-demand first calls: ${first.map((ms) => ms.toFixed(0)).join(', ')} ms`);
      return { firstCallMs: median(first), startToReadyMs: median(start) };
    } finally {
      await connection.close();
    }
  } finally {
    await target.stop();
  }
}

async function warmCalls(calls: number): Promise<Pick<OnDemandResult, 'warmOnDemandP50Ms' | 'warmAlwaysP50Ms'>> {
  const target = await switchboard({ servers: ['always', 'od'], settings: { od: { start: 'on-demand' } } });
  try {
    const connection = await target.connect();
    try {
      const always = echoCall(connection.client, 'always__echo');
      const od = echoCall(connection.client, 'od__echo');
      await od('wake');
      await latencyRound(always, calls);
      await latencyRound(od, calls);
      const a: number[] = [];
      const o: number[] = [];
      for (let round = 0; round < 3; round++) {
        a.push((await latencyRound(always, calls)).p50Ms);
        o.push((await latencyRound(od, calls)).p50Ms);
      }
      return { warmAlwaysP50Ms: median(a), warmOnDemandP50Ms: median(o) };
    } finally {
      await connection.close();
    }
  } finally {
    await target.stop();
  }
}

async function memoryInUse(start: 'always' | 'on-demand'): Promise<{ mb: number; count: number }> {
  const names = Array.from({ length: CONFIGURED }, (_, i) => `echo-${i + 1}`);
  const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-bench-on-demand-'));
  try {
    if (start === 'on-demand') {
      // A first run fills the lists cache (it starts each server once, then each stops when idle), as a user's
      // earlier days would have.
      const fill = await switchboard({
        servers: names,
        dataDir,
        settings: Object.fromEntries(names.map((n) => [n, { start, idleStopAfter: IDLE_MS }])),
      });
      const connection = await fill.connect();
      await connection.client.listTools();
      await connection.close();
      await until(() => allIdle(fill, names), 'every server to go idle');
      await fill.stopKeepingData();
    }
    const target = await switchboard({
      servers: names,
      dataDir,
      settings: Object.fromEntries(names.map((n) => [n, { start }])),
    });
    try {
      const connection = await target.connect();
      try {
        for (const name of names.slice(0, IN_USE)) await echoCall(connection.client, `${name}__echo`)('in use');
        await sleep(500);
        return childrenRssMb(target.pid!);
      } finally {
        await connection.close();
      }
    } finally {
      await target.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function benchOnDemand(calls: number, log: (message: string) => void): Promise<OnDemandResult> {
  const firstCallsCount = Math.max(3, Math.min(10, Math.round(calls / 50)));
  log(`on-demand: ${firstCallsCount} first calls after idle stops`);
  const first = await firstCalls(firstCallsCount, log);
  const direct: number[] = [];
  for (let i = 0; i < firstCallsCount; i++) direct.push(await directStart());
  log(`on-demand: warm calls (${calls} per round) against an always-on server`);
  const warm = await warmCalls(calls);
  log(`on-demand: children's memory, ${CONFIGURED} servers configured and ${IN_USE} in use`);
  const onDemand = await memoryInUse('on-demand');
  const always = await memoryInUse('always');
  return {
    firstCalls: firstCallsCount,
    ...first,
    directStartMs: median(direct),
    warmCalls: calls,
    ...warm,
    rssOnDemandMb: onDemand.mb,
    rssAlwaysMb: always.mb,
    childrenOnDemand: onDemand.count,
    childrenAlways: always.count,
  };
}

export function formatOnDemand(r: OnDemandResult): string {
  const overhead = r.firstCallMs - r.startToReadyMs;
  const pass = (ok: boolean): string => (ok ? 'pass' : 'FAIL');
  const lines = [
    '',
    `on-demand servers (${r.firstCalls} first calls, ${r.warmCalls} warm calls per round)`,
    `  first call to an idle server, median                  ${r.firstCallMs.toFixed(1)} ms`,
    `  its start-to-ready (spawn to initialized), median     ${r.startToReadyMs.toFixed(1)} ms  (bare SDK client: ${r.directStartMs.toFixed(1)} ms)`,
    `  first call beyond start-to-ready                      ${overhead.toFixed(1)} ms  (target <= ${FIRST_CALL_OVERHEAD_TARGET_MS} ms)  ${pass(overhead <= FIRST_CALL_OVERHEAD_TARGET_MS)}`,
    `  warm call p50, on-demand / always-on                  ${r.warmOnDemandP50Ms.toFixed(3)} ms / ${r.warmAlwaysP50Ms.toFixed(3)} ms  (target: no difference beyond noise)`,
    `  children's RSS, ${CONFIGURED} configured, ${IN_USE} in use: on-demand     ${r.rssOnDemandMb.toFixed(1)} MB in ${r.childrenOnDemand} processes`,
    `  children's RSS, ${CONFIGURED} configured, ${IN_USE} in use: always-on     ${r.rssAlwaysMb.toFixed(1)} MB in ${r.childrenAlways} processes`,
    '',
  ];
  return lines.join('\n');
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { calls: { type: 'string', default: '200' } } });
  const started = performance.now();
  const log = (message: string): void => {
    process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${message}\n`);
  };
  process.stdout.write(formatOnDemand(await benchOnDemand(Number(values.calls), log)));
}
