// The three measurements taken of every target: latency at concurrency 1, throughput and latency under a fixed
// concurrency, and the CPU time a process spent while either ran. Every loop runs a fixed number of calls.
import { cpuMicros } from './proc.ts';
import type { Call } from './targets/connection.ts';

/** The small argument every ordinary call sends. */
export const SMALL_TEXT = 'hello, switchboard';

export interface Latency {
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** Nearest-rank percentile of samples sorted ascending. */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) throw new Error('no samples');
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(fraction * sorted.length)));
  return sorted[rank - 1]!;
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

/** `count` calls one after another, each timed from send to answer. */
export async function latencyRound(call: Call, count: number, text: string = SMALL_TEXT): Promise<Latency> {
  const samples = new Float64Array(count);
  for (let i = 0; i < count; i += 1) {
    const started = performance.now();
    await call(text);
    samples[i] = performance.now() - started;
  }
  return latencyOf(samples);
}

/** A round under concurrency: answers per second over the whole round, and each call's latency. */
export interface Load extends Latency {
  readonly rps: number;
}

/** Latency percentiles of samples in any order (sorted in place). */
export function latencyOf(samples: Float64Array): Latency {
  samples.sort();
  const sorted = Array.from(samples);
  return { p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99) };
}

/**
 * `total` calls from `concurrency` callers sharing one client; answers per second over the whole round, and the
 * latency of each call from send to answer (which includes its wait behind the others in flight).
 */
export async function throughputRound(call: Call, total: number, concurrency: number): Promise<Load> {
  const samples = new Float64Array(total);
  let issued = 0;
  const worker = async (): Promise<void> => {
    while (issued < total) {
      const i = issued++;
      const sent = performance.now();
      await call(SMALL_TEXT);
      samples[i] = performance.now() - sent;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const rps = total / ((performance.now() - started) / 1000);
  return { rps, ...latencyOf(samples) };
}

/** Runs `work` and returns its result with the CPU time `pid` spent meanwhile (0 when there is no process). */
export async function withCpu<T>(pid: number | null, work: () => Promise<T>): Promise<{ result: T; cpuUs: number }> {
  const before = pid === null ? 0 : cpuMicros(pid);
  const result = await work();
  const after = pid === null ? 0 : cpuMicros(pid);
  return { result, cpuUs: after - before };
}
