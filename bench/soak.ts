// Memory soak: the core's resident memory idle with 20 servers, then its growth over a soak under light steady
// load (one client calling the 20 servers in turn at a fixed rate). The target is under 5% over 10 minutes; the
// soak's length is an option so a whole `npm run bench` stays short, and the report says which length ran. Before
// it, a warm-up: a burst of calls, then the steady rate for a while.
// `node bench/soak.ts [--minutes N]` runs this part alone.
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { median, throughputRound } from './measure.ts';
import { memory } from './proc.ts';
import { echoCall, type Call } from './targets/connection.ts';
import { switchboard } from './targets/switchboard.ts';

export const SOAK_GROWTH_TARGET_PERCENT = 5;
/** The soak length the target is set for. */
export const SOAK_TARGET_MINUTES = 10;

const SERVERS = 20;
/** Light steady load: this many calls a second, spread over the servers. */
const CALLS_PER_SECOND = 50;
/**
 * Calls made one after another, as fast as they are answered, before the steady warm-up. V8 optimizes a function
 * after enough calls, not after enough time: at 50 calls/s the gateway's code is still being compiled minutes in,
 * and the compiled code (several MB) would count as growth. One at a time, because a burst of eight at a time grew
 * the heap by some 60 MB that was given back during the soak and would have hidden any growth.
 */
const WARMUP_BURST_CALLS = 5_000;
const WARMUP_BURST_CONCURRENCY = 1;
/** Steady load after the burst, before the first sample, so pools and caches have settled at the soak's own rate. */
const WARMUP_MS = 30_000;
/**
 * The steady warm-up goes on in windows of this length while the core's RSS still falls by more than
 * SETTLE_DROP from one window to the next: the burst's garbage is given back at V8's pace, and a first reading taken
 * before that would hide growth. Bounded by SETTLE_MAX_MS (and by the soak's own length), and only ever extended
 * while memory falls, so a core that grows is measured from where it started growing.
 */
const SETTLE_WINDOW_MS = 10_000;
const SETTLE_DROP = 0.01;
const SETTLE_MAX_MS = 120_000;
/** Readings at the start and at the end whose medians are compared, so one collection's timing does not decide. */
const EDGE_SAMPLES = 3;

export interface SoakResult {
  readonly servers: number;
  /** The core's RSS once ready, after a few seconds without calls, MiB. */
  readonly idleRssMb: number;
  readonly minutes: number;
  readonly callsPerSecond: number;
  readonly calls: number;
  readonly errors: number;
  /** Median of the first and of the last readings of the soak, and the highest reading, MiB. */
  readonly startRssMb: number;
  readonly endRssMb: number;
  readonly peakRssMb: number;
  readonly growthPercent: number;
  readonly samples: number;
  /** Seconds of steady load between the burst and the soak, and whether RSS had stopped falling by then. */
  readonly warmupSeconds: number;
  readonly warmupSettled: boolean;
  /** Failed calls in the warm-up (burst and steady); a soak with any is not a pass either. */
  readonly warmupErrors: number;
}

/** Whether the last window's median RSS is no longer more than SETTLE_DROP below the one before it. */
export function settled(windowMedians: readonly number[]): boolean {
  if (windowMedians.length < 2) return false;
  const [before, last] = windowMedians.slice(-2) as [number, number];
  return last >= before * (1 - SETTLE_DROP);
}

/** Growth from the first readings to the last, each end the median of EDGE_SAMPLES readings. */
export function growth(rss: readonly number[]): { startRssMb: number; endRssMb: number; growthPercent: number } {
  if (rss.length < 2 * EDGE_SAMPLES) throw new Error(`a soak needs ${2 * EDGE_SAMPLES} readings, got ${rss.length}`);
  const startRssMb = median(rss.slice(0, EDGE_SAMPLES));
  const endRssMb = median(rss.slice(-EDGE_SAMPLES));
  return { startRssMb, endRssMb, growthPercent: ((endRssMb - startRssMb) / startRssMb) * 100 };
}

/** CALLS_PER_SECOND calls a second for `ms`, round-robin over `calls`; reads serve's RSS every `sampleMs`. */
async function steadyLoad(
  calls: readonly Call[],
  ms: number,
  sampleMs: number,
  pid: number,
): Promise<{ made: number; errors: number; rss: number[] }> {
  const rss: number[] = [];
  let made = 0;
  let errors = 0;
  const pending = new Set<Promise<void>>();
  const from = performance.now();
  let nextSample = from + sampleMs;
  for (let now = from; now - from < ms; now = performance.now()) {
    const due = Math.floor(((now - from) / 1000) * CALLS_PER_SECOND) - made;
    for (let i = 0; i < due; i += 1) {
      const call: Promise<void> = calls[made % calls.length]!('soak')
        .catch(() => {
          errors += 1;
        })
        .finally(() => pending.delete(call));
      pending.add(call);
      made += 1;
    }
    if (now >= nextSample) {
      rss.push(memory(pid).rssMb);
      nextSample += sampleMs;
    }
    await sleep(10);
  }
  await Promise.all(pending);
  return { made, errors, rss };
}

/** `total` calls round-robin over `calls`, `concurrency` at a time, as fast as they are answered. */
export async function burstLoad(
  calls: readonly Call[],
  total: number,
  concurrency: number,
): Promise<{ made: number; errors: number }> {
  let made = 0;
  let errors = 0;
  const next: Call = (text) =>
    calls[made++ % calls.length]!(text).catch(() => {
      errors += 1;
    });
  await throughputRound(next, total, concurrency);
  return { made, errors };
}

/**
 * Steady load for at least `minMs`, then in SETTLE_WINDOW_MS windows while the RSS still falls, up to
 * min(SETTLE_MAX_MS, `maxMs`) in all; returns how long it ran, whether RSS settled, and the failed calls.
 */
async function steadyWarmUp(
  calls: readonly Call[],
  minMs: number,
  maxMs: number,
  pid: number,
): Promise<{ ms: number; settled: boolean; errors: number }> {
  const first = await steadyLoad(calls, minMs, 1_000, pid);
  const medians = [median(first.rss.length > 0 ? first.rss : [memory(pid).rssMb])];
  let errors = first.errors;
  let ms = minMs;
  while (!settled(medians) && ms + SETTLE_WINDOW_MS <= Math.min(SETTLE_MAX_MS, maxMs)) {
    const window = await steadyLoad(calls, SETTLE_WINDOW_MS, 1_000, pid);
    medians.push(median(window.rss));
    errors += window.errors;
    ms += SETTLE_WINDOW_MS;
  }
  return { ms, settled: settled(medians), errors };
}

export async function benchSoak(minutes: number, log: (message: string) => void): Promise<SoakResult> {
  const names = Array.from({ length: SERVERS }, (_, i) => `echo-${i + 1}`);
  const target = await switchboard({ servers: names });
  try {
    const pid = target.pid!;
    await sleep(5_000);
    const idleRssMb = memory(pid).rssMb;
    log(
      `soak: core RSS idle with ${SERVERS} servers ${idleRssMb.toFixed(1)} MB; ${minutes} min at ${CALLS_PER_SECOND} calls/s`,
    );
    const connection = await target.connect();
    try {
      const calls = names.map((name) => echoCall(connection.client, `${name}__echo`));
      const soakMs = minutes * 60_000;
      const burst = await burstLoad(calls, WARMUP_BURST_CALLS, WARMUP_BURST_CONCURRENCY);
      log(`soak: warm-up burst of ${burst.made} calls (${burst.errors} errors), then steady until RSS stops falling`);
      const warmUp = await steadyWarmUp(calls, Math.min(WARMUP_MS, soakMs / 4), Math.max(WARMUP_MS, soakMs), pid);
      // About 60 readings whatever the length, and never fewer than one every 5 s.
      const sampleMs = Math.min(5_000, Math.max(500, soakMs / 60));
      const soak = await steadyLoad(calls, soakMs, sampleMs, pid);
      const { startRssMb, endRssMb, growthPercent } = growth(soak.rss);
      return {
        servers: SERVERS,
        idleRssMb,
        minutes,
        callsPerSecond: CALLS_PER_SECOND,
        calls: soak.made,
        errors: soak.errors,
        startRssMb,
        endRssMb,
        peakRssMb: Math.max(...soak.rss),
        growthPercent,
        samples: soak.rss.length,
        warmupSeconds: warmUp.ms / 1000,
        warmupSettled: warmUp.settled,
        warmupErrors: burst.errors + warmUp.errors,
      };
    } finally {
      await connection.close();
    }
  } finally {
    await target.stop();
  }
}

export function formatSoak(r: SoakResult): string {
  const pass = r.growthPercent < SOAK_GROWTH_TARGET_PERCENT && r.errors === 0 && r.warmupErrors === 0;
  const length =
    r.minutes === SOAK_TARGET_MINUTES
      ? `${r.minutes} min, the target's length`
      : `${r.minutes} min; the target is for ${SOAK_TARGET_MINUTES} min (--soak-minutes ${SOAK_TARGET_MINUTES})`;
  return [
    '',
    `memory soak: serve with ${r.servers} echo servers, ${r.callsPerSecond} calls/s for ${length}`,
    `  core RSS idle with ${r.servers} servers                        ${r.idleRssMb.toFixed(1)} MB`,
    `  warm-up: ${WARMUP_BURST_CALLS.toLocaleString('en')} calls one at a time, then ${r.warmupSeconds.toFixed(0)} s at ${r.callsPerSecond} calls/s (${r.warmupSettled ? 'until RSS stopped falling' : 'the most it waits; RSS was still falling'}), ${r.warmupErrors} errors`,
    `  core RSS at start / end of the soak (medians of ${EDGE_SAMPLES})     ${r.startRssMb.toFixed(1)} MB / ${r.endRssMb.toFixed(1)} MB, peak ${r.peakRssMb.toFixed(1)} MB (${r.samples} readings)`,
    `  growth over the soak                                 ${r.growthPercent.toFixed(1)}%  (target < ${SOAK_GROWTH_TARGET_PERCENT}% over ${SOAK_TARGET_MINUTES} min)  ${pass ? 'pass' : 'FAIL'}`,
    `  calls / errors                                       ${r.calls} / ${r.errors}`,
    '',
  ].join('\n');
}

/** Parses --soak-minutes (or --minutes): from 0.1 to 24 hours' worth. */
export function parseSoakMinutes(value: string): number {
  const minutes = Number(value);
  if (!Number.isFinite(minutes) || minutes < 0.1 || minutes > 1_440) {
    throw new Error(`--soak-minutes must be a number of minutes from 0.1 to 1440, got "${value}"`);
  }
  return minutes;
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { minutes: { type: 'string', default: String(SOAK_TARGET_MINUTES) } } });
  const started = performance.now();
  const log = (message: string): void => {
    process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${message}\n`);
  };
  process.stdout.write(formatSoak(await benchSoak(parseSoakMinutes(values.minutes), log)));
}
