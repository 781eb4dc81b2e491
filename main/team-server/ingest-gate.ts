// Back-pressure for ingestion: at most `active` batches are checked and stored at once and `waiting` more queue
// for a turn; past that a sender is told 429 with Retry-After rather than queued without bound, so a burst of
// desktops (all reconnecting after an outage) slows down instead of exhausting the database's connections.
export interface GateLimits {
  readonly active: number;
  readonly waiting: number;
}

export const INGEST_LIMITS: GateLimits = { active: 4, waiting: 16 };

export class IngestGate {
  readonly #limits: GateLimits;
  #active = 0;
  readonly #queue: (() => void)[] = [];

  constructor(limits: GateLimits = INGEST_LIMITS) {
    this.#limits = limits;
  }

  /** Runs `work` when a turn is free; null at once when the queue is full too. */
  async run<T>(work: () => Promise<T>): Promise<{ readonly value: T } | null> {
    if (this.#active >= this.#limits.active) {
      if (this.#queue.length >= this.#limits.waiting) return null;
      await new Promise<void>((resolve) => this.#queue.push(resolve));
    } else {
      this.#active += 1;
    }
    try {
      return { value: await work() };
    } finally {
      // The turn passes straight to the next in line, so `active` never dips and lets a newcomer jump the queue.
      const next = this.#queue.shift();
      if (next === undefined) this.#active -= 1;
      else next();
    }
  }

  get busy(): { readonly active: number; readonly waiting: number } {
    return { active: this.#active, waiting: this.#queue.length };
  }
}
