// How long the audit upload waits before trying a failed batch again: what the receiver asked for (Retry-After)
// when it asked, else the supervisor's restart backoff (doubling from the initial wait, capped, ±20% jitter so
// that a team's members do not all come back to a receiver that was down at the same moment).
import { backoffDelay } from '../supervisor/backoff.ts';

export interface BackoffSettings {
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
}

/** The wait after failure number `failures` (1 for the first). `random` is in [0, 1). */
export function retryDelay(
  failures: number,
  settings: BackoffSettings,
  retryAfterMs: number | null,
  random: () => number = Math.random,
): number {
  return retryAfterMs ?? backoffDelay(failures, settings, random);
}
