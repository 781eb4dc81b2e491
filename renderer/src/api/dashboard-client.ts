// What the dashboard talks to: the contract's calls, the core's events and whether the link to the core is up.
// Two implementations: the Electron bridge (electron-client.ts) and HTTP + WebSocket for `serve` (http-client.ts).
// Components never touch `window.*`; they get one of these from the app's context.
import type { ControlApi, ControlEvent } from '../../../preload/contract.ts';

/**
 * `live`: events flow. `connecting`: not yet, or lost and retrying (state is re-read once live again).
 * `session-lost`: the browser's dashboard session ended; only a new Dashboard link from `serve` helps.
 */
export type ConnectionState = 'connecting' | 'live' | 'session-lost';

export interface DashboardClient {
  readonly api: ControlApi;
  /** Every event the core pushes, in order. Returns the unsubscribe. */
  onEvent(listener: (event: ControlEvent) => void): () => void;
  /** The link's state now and on each change (called at once with the current state). Returns the unsubscribe. */
  onConnection(listener: (state: ConnectionState) => void): () => void;
  /** Stops the event stream (tests, page unload). */
  close(): void;
}

/** A set of listeners, each called in turn; one that throws does not stop the rest. */
export class Listeners<T> {
  readonly #set = new Set<(value: T) => void>();

  add(listener: (value: T) => void): () => void {
    this.#set.add(listener);
    return () => this.#set.delete(listener);
  }

  emit(value: T): void {
    for (const listener of [...this.#set]) {
      try {
        listener(value);
      } catch (error) {
        console.error('dashboard listener failed', error);
      }
    }
  }
}
