// Slows down token guessing (security test T7). Every loopback caller shares one address, so the throttle counts
// failures globally and only ever delays failing requests: a client with a valid token is never slowed.

export interface ThrottleDecision {
  /** Answer 429 instead of 401. */
  readonly throttled: boolean;
  /** True for the first throttled failure of a burst, so the burst is audited once, not per request. */
  readonly burstStarted: boolean;
  readonly failuresInWindow: number;
  readonly retryAfterSeconds: number;
}

export class FailureThrottle {
  readonly #windowMs: number;
  readonly #allowed: number;
  #failures: number[] = [];
  #inBurst = false;

  constructor(options: { windowMs?: number; allowedFailures?: number } = {}) {
    this.#windowMs = options.windowMs ?? 10_000;
    this.#allowed = options.allowedFailures ?? 10;
  }

  recordFailure(now: number): ThrottleDecision {
    const since = now - this.#windowMs;
    this.#failures = this.#failures.filter((t) => t > since);
    this.#failures.push(now);
    const count = this.#failures.length;
    const throttled = count > this.#allowed;
    const burstStarted = throttled && !this.#inBurst;
    this.#inBurst = throttled;
    const oldest = this.#failures[0] ?? now;
    return {
      throttled,
      burstStarted,
      failuresInWindow: count,
      retryAfterSeconds: Math.max(1, Math.ceil((oldest + this.#windowMs - now) / 1000)),
    };
  }
}
