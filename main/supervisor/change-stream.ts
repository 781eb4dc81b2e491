// The `subscriptions/listen` stream of a 2026-07-28 connection, kept open for as long as the connection is.
// It is how such a server announces list changes and resource updates (there is no GET stream and no
// `resources/subscribe`). A stream can end without the server being gone (a restart behind a balancer, a proxy
// cutting long responses), so an end that was not ours opens a new one, after 1 s and then twice as long each
// failed try up to 30 s; whether the server is still there is for health checks to say. Changes announced while no
// stream was open are lost, so after each reopening `missed` is told, and what it names is read again.
//
// What a stream listens for is fixed when it opens, so a new filter (a resource subscribed or released) needs a new
// stream. The new one is open and acknowledged before the old one is closed: nothing announced in between is lost,
// at worst heard twice, which only makes the gateway read again. Openings run one at a time, so a reopening and a
// change of filter never leave two streams behind.
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
  #filter: SubscriptionFilter;
  #current: McpSubscription | null = null;
  #delayMs: number;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;
  /** Openings, one after another. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: ChangeStreamOptions) {
    this.#options = options;
    this.#filter = options.filter;
    this.#firstMs = options.retry?.firstMs ?? 1_000;
    this.#maxMs = options.retry?.maxMs ?? 30_000;
    this.#delayMs = this.#firstMs;
  }

  /** Opens the first stream; rejects when the server refuses it. */
  async open(): Promise<void> {
    await this.#serially(async () => {
      this.#adopt(await this.#options.open(this.#filter, this.#options.timeoutMs));
    });
  }

  /**
   * Listens for `filter` from now on, and resolves with the part of it the server acknowledged. An empty filter
   * ends the stream. When the server refuses the new stream, this rejects and the stream there was stays.
   */
  replace(filter: SubscriptionFilter): Promise<SubscriptionFilter> {
    return this.#serially(async () => {
      if (this.#closed) throw new Error('the connection is closed');
      const previous = this.#current;
      const wasDown = previous === null && this.#timer !== null;
      if (isEmpty(filter)) {
        this.#stopRetrying();
        this.#filter = filter;
        this.#current = null;
        await previous?.close();
        return {};
      }
      const next = await this.#options.open(filter, this.#options.timeoutMs);
      if (this.#closed) {
        await next.close();
        throw new Error('the connection is closed');
      }
      this.#stopRetrying();
      this.#delayMs = this.#firstMs;
      this.#filter = filter;
      this.#adopt(next);
      await previous?.close();
      if (wasDown) this.#options.missed(filter);
      return next.honoredFilter;
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#stopRetrying();
    const current = this.#current;
    this.#current = null;
    await current?.close();
  }

  #serially<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => {});
    return run;
  }

  #adopt(subscription: McpSubscription): void {
    this.#current = subscription;
    void subscription.closed.then((why) => {
      if (this.#closed || why === 'local' || this.#current !== subscription) return;
      this.#current = null;
      this.#schedule();
    });
  }

  #stopRetrying(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#serially(() => this.#reopen());
    }, this.#delayMs);
    this.#timer.unref();
  }

  async #reopen(): Promise<void> {
    // A change of filter since may have opened a stream already, or ended the need for one.
    if (this.#closed || this.#current !== null || isEmpty(this.#filter)) return;
    const filter = this.#filter;
    let subscription: McpSubscription;
    try {
      subscription = await this.#options.open(filter, this.#options.timeoutMs);
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
    this.#options.missed(filter);
  }
}

function isEmpty(filter: SubscriptionFilter): boolean {
  return !Object.values(filter).some((value) => value === true || (Array.isArray(value) && value.length > 0));
}
