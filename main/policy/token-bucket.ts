// A token bucket on an injected clock: `capacity` tokens, refilled at `ratePerMs`, one taken per call.

export class TokenBucket {
  readonly #capacity: number;
  readonly #ratePerMs: number;
  #tokens: number;
  #at: number;

  constructor(capacity: number, ratePerMs: number, now: number) {
    this.#capacity = capacity;
    this.#ratePerMs = ratePerMs;
    this.#tokens = capacity;
    this.#at = now;
  }

  #refill(now: number): void {
    if (now > this.#at) this.#tokens = Math.min(this.#capacity, this.#tokens + (now - this.#at) * this.#ratePerMs);
    this.#at = Math.max(this.#at, now);
  }

  /** Milliseconds until a token is there: 0 when one is there now. */
  waitMs(now: number): number {
    this.#refill(now);
    if (this.#tokens >= 1) return 0;
    // Rounded to a microsecond first, so float error cannot add a whole millisecond.
    return Math.ceil(Math.round(((1 - this.#tokens) / this.#ratePerMs) * 1000) / 1000);
  }

  /** Takes a token; call only after `waitMs` said 0 at the same `now`. */
  take(now: number): void {
    this.#refill(now);
    this.#tokens -= 1;
  }

  /** Full again, so forgetting it changes nothing. */
  isFull(now: number): boolean {
    this.#refill(now);
    return this.#tokens >= this.#capacity;
  }
}
