// Which client sessions are waiting on each upstream right now. Over stdio nothing on the wire ties a server's log
// message to the request it belongs to (gateway notes 1), and the SDK's client does not say which HTTP stream a
// message came on either; knowing who is waiting lets the log router send a message only where it cannot be
// someone else's. A request to an isolated server waits on its owner's own instance, named by `instance`: what that
// instance sends can only concern the requests waiting on it.
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';

export interface InFlightRequest {
  /** The client session that sent it. */
  readonly session: string;
  /** The client (token name) behind that session, for the audit trail. */
  readonly client?: string | undefined;
  /** Whom the call is made for on a shared gateway, for the audit trail. */
  readonly member?: string | null | undefined;
  /** The key of the isolated server's instance it waits on; absent for the shared connection. */
  readonly instance?: string | undefined;
  /** Sends a notification on that request's own response stream. */
  readonly notify: (notification: ServerNotification) => Promise<void>;
  /**
   * Asks that session's client (sampling, elicitation, roots) on the same stream and returns its answer. Refused
   * by the session's SDK Server when the client did not declare the capability. Absent for waits that are not
   * calls (a subscription), during which a server has no business asking the client anything.
   */
  readonly ask?: (request: ServerRequest, signal: AbortSignal) => Promise<unknown>;
}

export class InFlightRequests {
  readonly #byServer = new Map<string, Set<InFlightRequest>>();
  readonly #watchers = new Set<(server: string) => void>();

  /** Calls `listener` with the server each time a request to it begins or settles (a server's use, for idle stops). */
  watch(listener: (server: string) => void): void {
    this.#watchers.add(listener);
  }

  #used(server: string): void {
    for (const listener of this.#watchers) listener(server);
  }

  /** Records a request sent to `server`; the returned function removes it once it has settled. */
  add(server: string, request: InFlightRequest): () => void {
    this.#used(server);
    let set = this.#byServer.get(server);
    if (set === undefined) {
      set = new Set();
      this.#byServer.set(server, set);
    }
    set.add(request);
    return () => {
      if (!set.delete(request)) return;
      if (set.size === 0 && this.#byServer.get(server) === set) this.#byServer.delete(server);
      this.#used(server);
    };
  }

  /**
   * The one session that can have caused a request `server` sends now on one connection (its shared one, or the
   * instance `instance`): the only session with requests waiting there. Null when none or several are waiting,
   * since then nothing on a stdio connection says whose it is (gateway notes 1), and a guess could hand one
   * user's data to another.
   */
  soleCaller(server: string, instance: string | null = null): InFlightRequest | null {
    const waiting = this.waitingOn(server, instance);
    const first = waiting[0];
    if (first === undefined) return null;
    return waiting.every((w) => w.session === first.session) ? first : null;
  }

  /** Requests waiting on `server`, on any of its connections, oldest first. */
  on(server: string): readonly InFlightRequest[] {
    return [...(this.#byServer.get(server) ?? [])];
  }

  /** Requests waiting on one connection of `server`: the shared one (null) or an instance, oldest first. */
  waitingOn(server: string, instance: string | null): readonly InFlightRequest[] {
    return this.on(server).filter((request) => (request.instance ?? null) === instance);
  }
}
