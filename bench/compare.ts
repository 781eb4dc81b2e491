// The targets measured side by side in one run: warm-up, then latency and throughput rounds interleaved across
// targets (so drift on a busy machine hits all of them alike), then memory, sessions and the 1 MiB argument.
import {
  latencyRound,
  median,
  percentile,
  throughputRound,
  withCpu,
  SMALL_TEXT,
  type Latency,
  type Load,
} from './measure.ts';
import type { Plan } from './plan.ts';
import { memory } from './proc.ts';
import { processesPerSession } from './sessions.ts';
import { echoCall, refusedStatus, type Call, type Connection } from './targets/connection.ts';
import type { Target } from './targets/target.ts';

export type BigResult =
  | { readonly kind: 'accepted'; readonly p50Ms: number; readonly peakRssMb: number | null }
  | { readonly kind: 'refused'; readonly status: number };

/** Latency and throughput at one concurrency: medians over the rounds, and each round's own figures. */
export interface LoadResult extends Load {
  readonly concurrency: number;
  readonly perRound: readonly Load[];
}

export interface TargetResult {
  readonly name: string;
  /** At concurrency 1. */
  readonly latency: Latency;
  /** Calls per second at the plan's `concurrency` (16). */
  readonly rps: number;
  /** Latency and throughput at the plan's `concurrency` and `highConcurrency` (16 and 64), in that order. */
  readonly loads: readonly LoadResult[];
  /** Calls in the latency and throughput rounds, at every concurrency. */
  readonly measuredCalls: number;
  /** Gateway CPU per call at concurrency 1 and 16; null when there is no process in front of the echo server. */
  readonly cpuUsPerCall: number | null;
  /** Peak RSS of the gateway process after the latency and throughput rounds. */
  readonly peakRssMb: number | null;
  readonly processesPerSession: number | null;
  readonly big: BigResult;
  /** Each round's own figures, in round order; rounds are interleaved across targets, so round i of two targets ran
   * under the same conditions and their ratio shows how much a ratio moves within one run. */
  readonly perRound: readonly { readonly p50Ms: number; readonly rps: number; readonly cpuUsPerCall: number | null }[];
}

interface Running {
  readonly target: Target;
  readonly connection: Connection;
  readonly call: Call;
  readonly rounds: { latency: Latency; rps: number; cpuUsPerCall: number | null; loads: [Load, Load] }[];
  cpuUs: number;
  /** Calls made while `cpuUs` was counted. */
  cpuCalls: number;
  calls: number;
}

export type Progress = (message: string) => void;

export async function compareTargets(targets: readonly Target[], plan: Plan, log: Progress): Promise<TargetResult[]> {
  const running: Running[] = [];
  try {
    for (const target of targets) {
      const connection = await target.connect();
      const call = echoCall(connection.client, target.tool);
      running.push({ target, connection, call, rounds: [], cpuUs: 0, cpuCalls: 0, calls: 0 });
      log(`${target.name}: warming up`);
      await latencyRound(call, plan.warmupCalls);
      await throughputRound(call, plan.warmupCalls, plan.concurrency);
      await throughputRound(call, plan.warmupCalls, plan.highConcurrency);
    }
    for (let round = 1; round <= plan.rounds; round += 1) {
      for (const r of running) {
        const latency = await withCpu(r.target.pid, () => latencyRound(r.call, plan.latencyCalls));
        const rps = await withCpu(r.target.pid, () => throughputRound(r.call, plan.throughputCalls, plan.concurrency));
        // Outside the CPU figure, so CPU per call stays what earlier runs measured (concurrency 1 and 16).
        const high = await throughputRound(r.call, plan.highConcurrencyCalls, plan.highConcurrency);
        const roundCalls = plan.latencyCalls + plan.throughputCalls;
        const roundCpu = r.target.pid === null ? null : (latency.cpuUs + rps.cpuUs) / roundCalls;
        r.rounds.push({
          latency: latency.result,
          rps: rps.result.rps,
          cpuUsPerCall: roundCpu,
          loads: [rps.result, high],
        });
        r.cpuUs += latency.cpuUs + rps.cpuUs;
        r.cpuCalls += roundCalls;
        r.calls += plan.latencyCalls + plan.throughputCalls + plan.highConcurrencyCalls;
        log(
          `round ${round}/${plan.rounds} ${r.target.name}: p50 ${latency.result.p50Ms.toFixed(3)} ms, ` +
            `${Math.round(rps.result.rps)} calls/s at ${plan.concurrency}, ${Math.round(high.rps)} at ${plan.highConcurrency}`,
        );
      }
    }
    const results: TargetResult[] = [];
    for (const r of running) {
      const pid = r.target.pid;
      const peakRssMb = pid === null ? null : memory(pid).peakMb;
      const perSession = pid === null ? null : await processesPerSession(r.target, plan.extraSessions);
      log(`${r.target.name}: ${plan.bigCalls} calls with a ${plan.bigBytes}-byte argument`);
      const big = await bigArgument(r, plan);
      results.push({
        name: r.target.name,
        latency: {
          p50Ms: median(r.rounds.map((x) => x.latency.p50Ms)),
          p99Ms: median(r.rounds.map((x) => x.latency.p99Ms)),
        },
        rps: median(r.rounds.map((x) => x.rps)),
        loads: [plan.concurrency, plan.highConcurrency].map((concurrency, i) => {
          const perRound = r.rounds.map((x) => x.loads[i as 0 | 1]);
          return {
            concurrency,
            rps: median(perRound.map((x) => x.rps)),
            p50Ms: median(perRound.map((x) => x.p50Ms)),
            p99Ms: median(perRound.map((x) => x.p99Ms)),
            perRound,
          };
        }),
        measuredCalls: r.calls,
        cpuUsPerCall: pid === null ? null : r.cpuUs / r.cpuCalls,
        peakRssMb,
        processesPerSession: perSession,
        big,
        perRound: r.rounds.map((x) => ({ p50Ms: x.latency.p50Ms, rps: x.rps, cpuUsPerCall: x.cpuUsPerCall })),
      });
    }
    return results;
  } finally {
    await Promise.all(running.map((r) => r.connection.close().catch(() => {})));
  }
}

/** The p50 of calls with a 1 MiB argument, or the HTTP status the target refused the first one with. */
async function bigArgument(r: Running, plan: Plan): Promise<BigResult> {
  const text = 'x'.repeat(plan.bigBytes - SMALL_TEXT.length) + SMALL_TEXT;
  try {
    for (let i = 0; i < plan.bigWarmupCalls; i += 1) await r.call(text);
  } catch (error) {
    const status = refusedStatus(error);
    if (status === null) throw error;
    return { kind: 'refused', status };
  }
  const samples: number[] = [];
  for (let i = 0; i < plan.bigCalls; i += 1) {
    const started = performance.now();
    await r.call(text);
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const pid = r.target.pid;
  return { kind: 'accepted', p50Ms: percentile(samples, 0.5), peakRssMb: pid === null ? null : memory(pid).peakMb };
}
