// The `subscriptions/listen` stream of a 2026-07-28 connection, kept open for as long as the connection is.
// It is how such a server announces list changes (there is no GET stream). A stream can end without the server
// being gone (a restart behind a balancer, a proxy cutting long responses), so an end that was not ours opens
// a new one, after 1 s and then twice as long each failed try up to 30 s; whether the server is still there is
// for health checks to say. Changes announced while no stream was open are lost, so after each reopening
// `missed` is told, and the lists are read again.
import type { McpSubscription, SubscriptionFilter } from '@modelcontextprotocol/client';

export interface ChangeStreamOptions {
  readonly filter: SubscriptionFilter;
  readonly open: (filter: SubscriptionFilter, timeoutMs: number) => Promise<McpSubscription>;
  /** A new stream is open after the last one ended: changes in `filter` may have been missed meanwhile. */
  readonly missed: (filter: SubscriptionFilter) => void;
  /** A reopening failed (it is tried again). */
  readonly onError?: ((error: Error) => void) | undefined;
  readonly timeoutMs: number;
  readonly retry?: { readonly firstMs: number; readonly maxMs: number } | undefined;
}

export class ChangeStream {
  readonly #options: ChangeStreamOptions;
  readonly #firstMs: number;
  readonly #maxMs: number;
  #current: McpSubscription | null = null;
  #delayMs: number;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(options: ChangeStreamOptions) {
    this.#options = options;
    this.#firstMs = options.retry?.firstMs ?? 1_000;
    this.#maxMs = options.retry?.maxMs ?? 30_000;
    this.#delayMs = this.#firstMs;
  }

  /** Opens the first stream; rejects when the server refuses it. */
  async open(): Promise<void> {
    this.#adopt(await this.#options.open(this.#options.filter, this.#options.timeoutMs));
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const current = this.#current;
    this.#current = null;
    await current?.close();
  }

  #adopt(subscription: McpSubscription): void {
    this.#current = subscription;
    void subscription.closed.then((why) => {
      if (this.#closed || why === 'local' || this.#current !== subscription) return;
      this.#current = null;
      this.#schedule();
    });
  }

  #schedule(): void {
    this.#timer = setTimeout(() => void this.#reopen(), this.#delayMs);
    this.#timer.unref();
  }

  async #reopen(): Promise<void> {
    this.#timer = null;
    let subscription: McpSubscription;
    try {
      subscription = await this.#options.open(this.#options.filter, this.#options.timeoutMs);
    } catch (error) {
      if (this.#closed) return;
      this.#options.onError?.(error instanceof Error ? error : new Error(String(error)));
      this.#delayMs = Math.min(this.#delayMs * 2, this.#maxMs);
      this.#schedule();
      return;
    }
    if (this.#closed) {
      await subscription.close();
      return;
    }
    this.#delayMs = this.#firstMs;
    this.#adopt(subscription);
    this.#options.missed(this.#options.filter);
  }
}
