// The realistic mix's fixed shape: which tool sleeps how long and returns how much, and which tool each call goes
// to. Drawn from a seeded generator, so every run (and every machine) gets the same servers and the same sequence
// of calls, and two runs differ only in how the gateway handled them.

/** How long the tools take, from a cache hit to a slow API. */
export const LATENCY_CLASSES_MS = [1, 10, 100, 500, 2_000] as const;

/** How much they return, from a status line to a large file. */
export const PAYLOAD_BYTES = [100, 1_024, 10 * 1_024, 100 * 1_024, 1_024 * 1_024] as const;

/**
 * Share of calls per latency class, in the order of LATENCY_CLASSES_MS: most calls are quick, as in an agent's
 * session; the mean tool time is about 100 ms.
 */
const CLASS_WEIGHTS = [40, 30, 20, 8, 2] as const;

/** How many servers of the 20 return each payload size, in the order of PAYLOAD_BYTES. */
const PAYLOAD_COUNTS = [6, 5, 4, 3, 2] as const;

export const MIX_SEED = 0x5b0a_2d17;

export interface MixServer {
  readonly name: string;
  readonly sleepMs: number;
  readonly bytes: number;
}

export interface MixPlan {
  readonly servers: readonly MixServer[];
  /** Index into `servers` of each call, in the order calls are issued. */
  readonly calls: readonly number[];
}

/** mulberry32: a small, fast generator with a 32-bit state; enough for picking a benchmark's mix. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** 20 servers, four per latency class, payload sizes shuffled across them; then `calls` weighted picks. */
export function mixPlan(calls: number, seed: number = MIX_SEED): MixPlan {
  const random = seededRandom(seed);
  const perClass = 4;
  const payloads = shuffle(
    PAYLOAD_COUNTS.flatMap((count, i) => Array.from({ length: count }, () => PAYLOAD_BYTES[i]!)),
    random,
  );
  const servers = LATENCY_CLASSES_MS.flatMap((sleepMs, c) =>
    Array.from({ length: perClass }, (_, k) => ({
      name: `mix-${String(c * perClass + k + 1).padStart(2, '0')}`,
      sleepMs,
      bytes: payloads[c * perClass + k]!,
    })),
  );
  const total = CLASS_WEIGHTS.reduce((a, b) => a + b, 0);
  const sequence: number[] = [];
  for (let i = 0; i < calls; i += 1) {
    let pick = random() * total;
    let c = 0;
    while (c < CLASS_WEIGHTS.length - 1 && pick >= CLASS_WEIGHTS[c]!) pick -= CLASS_WEIGHTS[c++]!;
    sequence.push(c * perClass + Math.floor(random() * perClass));
  }
  return { servers, calls: sequence };
}
