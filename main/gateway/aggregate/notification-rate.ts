// How fast an upstream's notifications reach a client (T84). A server may send progress or log messages far faster
// than any client can use them, and every one forwarded costs a serialization, a write and a client wake-up; a
// flood of 100,000 a second would keep the gateway busy for nothing and fill the client's stream. So each request's
// progress goes out at most PROGRESS_PER_SECOND times a second, coalesced (the newest one waits for the next slot
// and replaces any older one waiting, so the client always ends with the latest figure), and each server's log
// messages at most LOG_MESSAGES_PER_SECOND a second, the rest dropped (a log line cannot stand for another one).
// Both count what they hold back, for the audit trail and the metrics.

/** Progress notifications forwarded per request per second (docs/limits.md). */
export const PROGRESS_PER_SECOND = 20;
/** Log messages forwarded per server connection per second (docs/limits.md). */
export const LOG_MESSAGES_PER_SECOND = 100;

/**
 * A token bucket: up to `perSecond` at once, then `perSecond` a second. `now` is injectable for tests.
 */
export class RateBucket {
  readonly #perSecond: number;
  readonly #now: () => number;
  #tokens: number;
  #at: number;

  constructor(perSecond: number, now: () => number = performance.now.bind(performance)) {
    this.#perSecond = perSecond;
    this.#now = now;
    this.#tokens = perSecond;
    this.#at = now();
  }

  #refill(): void {
    const now = this.#now();
    this.#tokens = Math.min(this.#perSecond, this.#tokens + ((now - this.#at) * this.#perSecond) / 1000);
    this.#at = now;
  }

  /** Takes one token when there is one. */
  take(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Milliseconds until a token is available (0 when one is). */
  wait(): number {
    this.#refill();
    return this.#tokens >= 1 ? 0 : Math.ceil(((1 - this.#tokens) * 1000) / this.#perSecond);
  }

  /** True when the bucket is full again: it remembers nothing a fresh one would not. */
  get idle(): boolean {
    this.#refill();
    return this.#tokens >= this.#perSecond;
  }
}

/**
 * One request's progress on its way to the client. `push` forwards at once when the rate allows, or keeps the
 * newest notification for the next slot; `flush` sends the one waiting, if any, and must be called before the
 * result goes out so the client sees the final progress first.
 */
export class ProgressCoalescer<T> {
  readonly #send: (progress: T) => void;
  readonly #bucket: RateBucket;
  #waiting: { value: T } | null = null;
  #timer: NodeJS.Timeout | null = null;
  /** Notifications replaced by a newer one before their slot came: never forwarded. */
  dropped = 0;

  constructor(send: (progress: T) => void, perSecond = PROGRESS_PER_SECOND, now?: () => number) {
    this.#send = send;
    this.#bucket = new RateBucket(perSecond, now);
  }

  push(progress: T): void {
    if (this.#waiting === null && this.#bucket.take()) {
      this.#send(progress);
      return;
    }
    if (this.#waiting !== null) this.dropped += 1;
    this.#waiting = { value: progress };
    this.#timer ??= setTimeout(() => this.#due(), this.#bucket.wait());
  }

  #due(): void {
    this.#timer = null;
    if (this.#waiting === null) return;
    if (!this.#bucket.take()) {
      this.#timer = setTimeout(() => this.#due(), this.#bucket.wait());
      return;
    }
    const { value } = this.#waiting;
    this.#waiting = null;
    this.#send(value);
  }

  /** Sends the notification waiting for its slot now (the request is ending) and stops the timer. */
  flush(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const waiting = this.#waiting;
    this.#waiting = null;
    if (waiting !== null) this.#send(waiting.value);
  }

  /** Forgets the notification waiting (the request failed: its progress no longer matters). */
  discard(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#waiting !== null) this.dropped += 1;
    this.#waiting = null;
  }
}

/**
 * One bucket per server connection (a server, or one instance of an isolated server) for log messages. Buckets
 * that have refilled are forgotten, so instances that come and go leave nothing behind.
 */
export class LogRate {
  readonly #perSecond: number;
  readonly #now: (() => number) | undefined;
  readonly #buckets = new Map<string, RateBucket>();
  /** Messages dropped past the rate, by server. */
  readonly dropped = new Map<string, number>();

  constructor(perSecond = LOG_MESSAGES_PER_SECOND, now?: () => number) {
    this.#perSecond = perSecond;
    this.#now = now;
  }

  /** True when a message from this connection may go out now; counts it as dropped otherwise. */
  admit(server: string, instance: string | null): boolean {
    const key = instance === null ? server : `${server}\u0000${instance}`;
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (this.#buckets.size >= 64) for (const [k, b] of this.#buckets) if (b.idle) this.#buckets.delete(k);
      bucket = new RateBucket(this.#perSecond, this.#now);
      this.#buckets.set(key, bucket);
    }
    if (bucket.take()) return true;
    this.dropped.set(server, (this.dropped.get(server) ?? 0) + 1);
    return false;
  }
}
