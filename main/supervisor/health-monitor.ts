// Health of a connected server: an MCP ping every interval (`server/discover` on a 2026-07-28 connection), each
// with its own timeout.
// A failed ping makes the server degraded (it still serves: a slow server is not a dead one); a successful one
// makes it running again; `restartAfterFailures` failures in a row give up on the connection.
import type { HealthPolicy } from '../config/schema.ts';

export interface HealthEvents {
  /** A ping failed; `failedPings` counts those in a row. */
  readonly failed: (failedPings: number, lastError: string) => void;
  /** A ping answered after one or more had failed. */
  readonly recovered: () => void;
  /** `restartAfterFailures` pings in a row failed; the monitor has stopped. */
  readonly gaveUp: (failedPings: number, lastError: string) => void;
}

export class HealthMonitor {
  readonly #policy: HealthPolicy;
  readonly #ping: (timeoutMs: number) => Promise<unknown>;
  readonly #events: HealthEvents;
  #timer: NodeJS.Timeout | null = null;
  #failedPings = 0;
  #stopped = false;

  constructor(policy: HealthPolicy, ping: (timeoutMs: number) => Promise<unknown>, events: HealthEvents) {
    this.#policy = policy;
    this.#ping = ping;
    this.#events = events;
  }

  start(): void {
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#check(), this.#policy.intervalMs);
    // Health checks alone never keep the process alive.
    this.#timer.unref();
  }

  async #check(): Promise<void> {
    this.#timer = null;
    try {
      await this.#ping(this.#policy.timeoutMs);
      if (this.#stopped) return;
      if (this.#failedPings > 0) {
        this.#failedPings = 0;
        this.#events.recovered();
      }
    } catch (error) {
      if (this.#stopped) return;
      this.#failedPings++;
      const lastError = error instanceof Error ? error.message : String(error);
      this.#events.failed(this.#failedPings, lastError);
      const limit = this.#policy.restartAfterFailures;
      if (limit > 0 && this.#failedPings >= limit) {
        this.stop();
        this.#events.gaveUp(this.#failedPings, lastError);
        return;
      }
    }
    this.#schedule();
  }
}
