// When to try a crashed server again, and when to stop trying.
// Exponential backoff with ±20% jitter, so that servers that died together do not all come back in the same
// millisecond; a hard cap; and a crash-loop limit (maxCrashes within crashWindowMs) after which the server is
// parked until someone restarts it by hand (security test T37). Pure: the clock and the dice are injected.
import type { RestartPolicy } from '../config/schema.ts';

export const JITTER = 0.2;

type BackoffPolicy = Pick<RestartPolicy, 'initialBackoffMs' | 'maxBackoffMs'>;
type LoopPolicy = Pick<RestartPolicy, 'maxCrashes' | 'crashWindowMs'>;

/** The delay before attempt `attempt` (1 for the first retry): initial × 2^(attempt−1), jittered, never above the cap. */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const exponential = policy.initialBackoffMs * 2 ** Math.min(Math.max(0, attempt - 1), 30);
  const capped = Math.min(exponential, policy.maxBackoffMs);
  const jittered = capped * (1 + (random() * 2 - 1) * JITTER);
  return Math.max(0, Math.round(Math.min(jittered, policy.maxBackoffMs)));
}

/** The crash times still inside the window at `now`. */
export function crashesInWindow(history: readonly number[], now: number, policy: LoopPolicy): number[] {
  return history.filter((at) => now - at < policy.crashWindowMs);
}

export type CrashVerdict =
  | { readonly parked: false; readonly attempt: number; readonly delayMs: number; readonly retryAt: number }
  | { readonly parked: true; readonly crashes: number };

/**
 * The crash history of one server. The backoff attempt is the number of crashes inside the window, so a server
 * that has run quietly for a whole window starts again from the initial delay.
 */
export class CrashHistory {
  readonly #policy: RestartPolicy;
  readonly #now: () => number;
  readonly #random: () => number;
  #history: number[] = [];

  constructor(policy: RestartPolicy, now: () => number, random: () => number) {
    this.#policy = policy;
    this.#now = now;
    this.#random = random;
  }

  /** Records a crash now and says what follows: a retry after a delay, or parking. */
  record(): CrashVerdict {
    const now = this.#now();
    this.#history = [...crashesInWindow(this.#history, now, this.#policy), now];
    const crashes = this.#history.length;
    if (crashes >= this.#policy.maxCrashes) return { parked: true, crashes };
    const delayMs = backoffDelay(crashes, this.#policy, this.#random);
    return { parked: false, attempt: crashes, delayMs, retryAt: now + delayMs };
  }

  /** Crashes inside the window at this moment. */
  get recent(): number {
    return crashesInWindow(this.#history, this.#now(), this.#policy).length;
  }

  reset(): void {
    this.#history = [];
  }
}
