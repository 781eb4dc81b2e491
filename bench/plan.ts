// How many calls each measurement makes: the full run the issue specifies, and a quick smoke run.

export interface Plan {
  readonly quick: boolean;
  /** Latency and throughput are measured this many times per target, interleaved across targets; medians win. */
  readonly rounds: number;
  /** Calls per latency round, at concurrency 1. */
  readonly latencyCalls: number;
  /** Calls per throughput round, at `concurrency`. */
  readonly throughputCalls: number;
  readonly concurrency: number;
  /** Calls per round at `highConcurrency`, for latency and throughput under heavier load (not in CPU per call). */
  readonly highConcurrencyCalls: number;
  readonly highConcurrency: number;
  /** Unmeasured calls first, at concurrency 1 and again at `concurrency`, so JIT and connection pools settle. */
  readonly warmupCalls: number;
  /** Calls with a 1 MiB argument, after `bigWarmupCalls` unmeasured ones. */
  readonly bigCalls: number;
  readonly bigWarmupCalls: number;
  readonly bigBytes: number;
  /** Sessions opened on top of the first to see whether each costs a process. */
  readonly extraSessions: number;
  readonly rssServers: number;
  /** serve is started afresh this many times with `rssServers` servers; the median peak RSS is the figure. */
  readonly rssRuns: number;
  /** Calls to each of the `rssServers` servers before their gateway's peak RSS is read. */
  readonly rssCallsPerServer: number;
  /** serve is started this many times with `startupServers` always-on servers, spawn to /readyz 200. */
  readonly startupRuns: number;
  readonly startupServers: number;
  /** Calls in the realistic mix (bench/mix.ts), shared by its clients. */
  readonly mixCalls: number;
  /** Minutes of the memory soak (bench/soak.ts) after its warm-up. */
  readonly soakMinutes: number;
}

export const FULL_PLAN: Plan = {
  quick: false,
  rounds: 5,
  latencyCalls: 2_000,
  throughputCalls: 8_000,
  concurrency: 16,
  highConcurrencyCalls: 4_000,
  highConcurrency: 64,
  warmupCalls: 500,
  bigCalls: 20,
  bigWarmupCalls: 3,
  bigBytes: 1024 * 1024,
  extraSessions: 3,
  rssServers: 10,
  rssRuns: 5,
  rssCallsPerServer: 200,
  startupRuns: 3,
  startupServers: 20,
  mixCalls: 5_000,
  soakMinutes: 1.5,
};

export const QUICK_PLAN: Plan = {
  ...FULL_PLAN,
  quick: true,
  latencyCalls: 200,
  throughputCalls: 400,
  warmupCalls: 100,
  bigCalls: 5,
  bigWarmupCalls: 1,
  rssCallsPerServer: 20,
  rssRuns: 1,
  highConcurrencyCalls: 640,
  startupRuns: 1,
  mixCalls: 300,
  soakMinutes: 0.5,
};
