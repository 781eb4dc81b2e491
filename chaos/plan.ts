// How long `npm run chaos` drives load and how often each fault strikes: the full run (about five minutes on two
// busy cores) and `--quick` (about a minute, for a smoke run while developing).

export interface ChaosPlan {
  readonly name: 'full' | 'quick';
  /** Load runs this long; the faults are spread over it. */
  readonly loadMs: number;
  /** SDK clients driving calls, each with this many calls in flight. */
  readonly clients: number;
  readonly loopsPerClient: number;
  /** A random upstream of the victim group gets kill -9 this often. */
  readonly upstreamKillEveryMs: number;
  /** A client drops its connection in the middle of a call this often. */
  readonly disconnectEveryMs: number;
  /** A client opens a streaming call and never reads it this often. */
  readonly nonReaderEveryMs: number;
  /** The data directory is read-only between these fractions of the load. */
  readonly readOnly: readonly [number, number];
  /** The data directory's disk is full between these fractions of the load. */
  readonly diskFull: readonly [number, number];
  /** The team policy endpoint fails every poll between these fractions of the load. */
  readonly feedDown: readonly [number, number];
  /** The team publishes a newer policy version at this fraction; serve must have it by the end. */
  readonly republishAt: number;
  /** serve gets kill -9 at this fraction of the load, and is started again. */
  readonly serveKillAt: number;
  /** Memory is measured this far into the load (the baseline) and after this long without load (the end). */
  readonly warmupMs: number;
  readonly quietMs: number;
}

export const FULL_PLAN: ChaosPlan = {
  name: 'full',
  loadMs: 225_000,
  clients: 4,
  loopsPerClient: 2,
  upstreamKillEveryMs: 15_000,
  disconnectEveryMs: 1_500,
  nonReaderEveryMs: 5_000,
  readOnly: [0.25, 0.35],
  diskFull: [0.4, 0.5],
  feedDown: [0.1, 0.55],
  republishAt: 0.7,
  serveKillAt: 0.6,
  warmupMs: 15_000,
  quietMs: 20_000,
};

export const QUICK_PLAN: ChaosPlan = {
  name: 'quick',
  loadMs: 40_000,
  clients: 3,
  loopsPerClient: 2,
  upstreamKillEveryMs: 8_000,
  disconnectEveryMs: 1_500,
  nonReaderEveryMs: 4_000,
  readOnly: [0.2, 0.35],
  diskFull: [0.38, 0.5],
  feedDown: [0.1, 0.55],
  republishAt: 0.7,
  serveKillAt: 0.6,
  warmupMs: 8_000,
  quietMs: 8_000,
};
