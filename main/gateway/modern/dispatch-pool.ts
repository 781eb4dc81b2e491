// Session servers for modern requests, kept between requests. A modern request is stateless on the wire, but
// building a session server (and initializing it) for each one would cost more than many tool calls take, so each
// client token keeps one per endpoint and protocol version while it is used, and drops it after a short idle time.
// Nothing a client can observe lives in it: modern clients cannot reach the session-wide state of the legacy era
// (logging/setLevel and resources/subscribe are unknown methods to them), and listen streams have servers of their
// own, since their resource subscriptions end with them.
import type { LegacyDispatch } from './legacy-dispatch.ts';

/** How long a pooled session server outlives the last request that used it. */
export const DISPATCH_IDLE_MS = 30_000;

interface Entry {
  readonly tokenId: string;
  readonly dispatch: Promise<LegacyDispatch>;
  inUse: number;
  idle: NodeJS.Timeout | null;
}

export interface Lease {
  readonly dispatch: LegacyDispatch;
  /** Hands the session server back; call once, when the request is over. */
  release(): void;
  /** Keeps the session server beyond the request (a flow waiting for the client's input); returns its release. */
  hold(): () => void;
}

export class DispatchPool {
  readonly #entries = new Map<string, Entry>();
  readonly #idleMs: number;

  constructor(idleMs = DISPATCH_IDLE_MS) {
    this.#idleMs = idleMs;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The pooled session server for `key`, opened with `open` when there is none. */
  async acquire(key: string, tokenId: string, open: () => Promise<LegacyDispatch>): Promise<Lease> {
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      const created: Entry = { tokenId, dispatch: open(), inUse: 0, idle: null };
      entry = created;
      this.#entries.set(key, created);
      created.dispatch.then(
        (dispatch) => {
          dispatch.onended = () => {
            if (this.#entries.get(key) === created) this.#entries.delete(key);
          };
        },
        () => {
          if (this.#entries.get(key) === created) this.#entries.delete(key);
        },
      );
    }
    const held = entry;
    held.inUse += 1;
    if (held.idle !== null) clearTimeout(held.idle);
    held.idle = null;
    let dispatch: LegacyDispatch;
    try {
      dispatch = await held.dispatch;
    } catch (error) {
      held.inUse -= 1;
      throw error;
    }
    return { dispatch, release: this.#releaser(key, held), hold: () => this.#retain(key, held) };
  }

  #retain(key: string, entry: Entry): () => void {
    entry.inUse += 1;
    if (entry.idle !== null) clearTimeout(entry.idle);
    entry.idle = null;
    return this.#releaser(key, entry);
  }

  /** Gives back one use of `entry`, once however often it is called; the last one starts the idle time. */
  #releaser(key: string, entry: Entry): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      entry.inUse -= 1;
      if (entry.inUse > 0 || this.#entries.get(key) !== entry) return;
      entry.idle = setTimeout(() => this.#drop(key, entry), this.#idleMs);
      entry.idle.unref();
    };
  }

  /** Closes the session servers of tokens that are no longer active. */
  dropTokens(isActive: (tokenId: string) => boolean): void {
    for (const [key, entry] of [...this.#entries]) if (!isActive(entry.tokenId)) this.#drop(key, entry);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.#entries].map(([key, entry]) => this.#drop(key, entry)));
  }

  async #drop(key: string, entry: Entry): Promise<void> {
    if (entry.idle !== null) clearTimeout(entry.idle);
    if (this.#entries.get(key) === entry) this.#entries.delete(key);
    const dispatch = await entry.dispatch.catch(() => null);
    await dispatch?.shutdown();
  }
}
