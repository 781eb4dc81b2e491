// Rate limits (token buckets per client, tool or server, as each limit says) and concurrency caps per server.
// A call takes a token from every limit that matches it, or from none: when one bucket is empty the others keep
// theirs, and the refusal says which limit and when to retry. The clock is injected, so tests need no waiting.
import type { RateLimit } from '../config/policy-schema.ts';
import type { NameMatcher } from './glob.ts';
import { matchesKind, type KindMatchers, type RuleSubject } from './rules.ts';
import { TokenBucket } from './token-bucket.ts';

export interface CompiledLimit {
  /** `policy.rateLimits[2]` or the limit's id. */
  readonly name: string;
  /** Identifies the definition, so an edited limit starts with fresh buckets. */
  readonly key: string;
  readonly limit: RateLimit;
  readonly clients: NameMatcher;
  readonly servers: NameMatcher;
  readonly kinds: KindMatchers;
}

/** A request to limit; `each: ["tool"]` gives each tool, prompt or resource (by `name`) a bucket of its own. */
export type LimitedCall = RuleSubject;

export type LimitVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly rule: string; readonly retryAfterMs: number; readonly message: string };

/** Buckets beyond this count are swept of full (idle) ones. */
const SWEEP_AT = 10_000;

export class RateLimiter {
  readonly #now: () => number;
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  take(limits: readonly CompiledLimit[], call: LimitedCall): LimitVerdict {
    const now = this.#now();
    const matching = limits.filter(
      (l) => l.clients(call.client) && l.servers(call.server) && matchesKind(l.kinds, call),
    );
    const buckets = matching.map((l) => ({ limit: l, bucket: this.#bucket(l, call, now) }));
    let worst: { limit: CompiledLimit; waitMs: number } | null = null;
    for (const { limit, bucket } of buckets) {
      const waitMs = bucket.waitMs(now);
      if (waitMs > 0 && (worst === null || waitMs > worst.waitMs)) worst = { limit, waitMs };
    }
    if (worst !== null) {
      const { limit } = worst.limit;
      const per = limit.each.length === 0 ? 'in all' : `for each ${limit.each.join(' and ')}`;
      const seconds = (worst.waitMs / 1000).toFixed(worst.waitMs < 10_000 ? 1 : 0);
      return {
        ok: false,
        rule: worst.limit.name,
        retryAfterMs: worst.waitMs,
        message: `rate limit ${worst.limit.name} reached (${limit.calls} calls per ${limit.perSeconds} s ${per}); retry in ${seconds} s`,
      };
    }
    for (const { bucket } of buckets) bucket.take(now);
    if (this.#buckets.size > SWEEP_AT) this.#sweep(now);
    return { ok: true };
  }

  #bucket(limit: CompiledLimit, call: LimitedCall, now: number): TokenBucket {
    const parts = limit.limit.each.map((k) => `${k}=${k === 'tool' ? `${call.kind}:${call.name}` : call[k]}`);
    const key = `${limit.key}\u0000${parts.join('\u0000')}`;
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      const { calls, perSeconds, burst } = limit.limit;
      bucket = new TokenBucket(burst ?? calls, calls / (perSeconds * 1000), now);
      this.#buckets.set(key, bucket);
    }
    return bucket;
  }

  #sweep(now: number): void {
    for (const [key, bucket] of this.#buckets) if (bucket.isFull(now)) this.#buckets.delete(key);
  }
}

/** Calls in flight per server, against a cap; the call past the cap is refused rather than queued. */
export class ConcurrencyCaps {
  readonly #inFlight = new Map<string, number>();

  /** A release function when there is room; null when `cap` calls are already in flight on the server. */
  acquire(server: string, cap: number): (() => void) | null {
    const now = this.#inFlight.get(server) ?? 0;
    if (now >= cap) return null;
    this.#inFlight.set(server, now + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#inFlight.get(server) ?? 1) - 1;
      if (left <= 0) this.#inFlight.delete(server);
      else this.#inFlight.set(server, left);
    };
  }

  inFlight(server: string): number {
    return this.#inFlight.get(server) ?? 0;
  }
}
