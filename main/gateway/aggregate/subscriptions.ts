// Resource subscriptions of many sessions over one upstream connection per server. The upstream is subscribed
// to a URI when the first session subscribes and unsubscribed when the last one unsubscribes or closes; a server
// that restarts is subscribed again for every URI still wanted. `notifications/resources/updated` goes only to
// the sessions subscribed to that URI, under the URI each of them subscribed with.
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../../log/logger.ts';
import { isServing } from '../../supervisor/server-state.ts';
import type { UpstreamClient } from '../../supervisor/upstream-client.ts';
import { GatewayErrorCode } from '../http/http-reply.ts';
import { CallError } from './call-error.ts';
import type { InFlightRequests } from './in-flight.ts';
import type { UpstreamDirectory } from './upstream-directory.ts';
import { whenServing, type Extra } from './upstream-request.ts';

/** Subscriptions one session may hold; each costs an upstream subscription, so a client cannot ask for unbounded. */
export const MAX_SUBSCRIPTIONS_PER_SESSION = 1_000;

interface Subscriber {
  /** The URI as the session named it (namespaced or not). */
  readonly exposed: string;
  readonly deliver: (exposedUri: string) => void;
}

interface Subscription {
  readonly server: string;
  readonly uri: string;
  readonly subscribers: Map<string, Subscriber>;
  /** The connection the upstream subscription was made on; null when there is none. */
  upstream: UpstreamClient | null;
  /** Changes to one subscription run one at a time, in order. */
  chain: Promise<void>;
  pending: number;
}

export interface SubscriberSession {
  readonly id: string;
  /** The request that asked, when there is one: its wait is counted as in flight on the server. */
  readonly extra?: Extra;
}

export class SubscriptionHub {
  readonly #directory: UpstreamDirectory;
  readonly #inFlight: InFlightRequests;
  readonly #logger: Logger;
  readonly #subscriptions = new Map<string, Subscription>();
  readonly #limit: number;

  constructor(
    directory: UpstreamDirectory,
    inFlight: InFlightRequests,
    logger: Logger,
    options: { maxPerSession?: number } = {},
  ) {
    this.#limit = options.maxPerSession ?? MAX_SUBSCRIPTIONS_PER_SESSION;
    this.#directory = directory;
    this.#inFlight = inFlight;
    this.#logger = logger;
    directory.on('resourceUpdated', (server, uri) => {
      const subscription = this.#subscriptions.get(key(server, uri));
      if (subscription === undefined) return;
      for (const subscriber of subscription.subscribers.values()) subscriber.deliver(subscriber.exposed);
    });
    directory.on('state', (server, state) => {
      for (const subscription of this.#subscriptions.values()) {
        if (subscription.server !== server) continue;
        if (!isServing(state)) subscription.upstream = null;
        else if (subscription.subscribers.size > 0) {
          // The server restarted: its subscriptions died with the old connection.
          this.#run(subscription, () => this.#ensure(subscription)).catch((error: unknown) => {
            this.#logger.warn('could not subscribe again after a restart', {
              server,
              uri: subscription.uri,
              error: (error as Error).message,
            });
          });
        }
      }
    });
  }

  /** Upstream subscriptions held right now (for tests and status). */
  get upstreamCount(): number {
    return [...this.#subscriptions.values()].filter((s) => s.upstream !== null).length;
  }

  /** Subscriptions to one of the server's URIs that sessions want (they keep an on-demand server up). */
  wantedOn(server: string): number {
    let count = 0;
    for (const subscription of this.#subscriptions.values()) {
      if (subscription.server === server && subscription.subscribers.size > 0) count += 1;
    }
    return count;
  }

  #countOf(sessionId: string): number {
    let count = 0;
    for (const subscription of this.#subscriptions.values()) if (subscription.subscribers.has(sessionId)) count += 1;
    return count;
  }

  /** Sessions subscribed to one of a server's URIs. */
  subscribers(server: string, uri: string): string[] {
    return [...(this.#subscriptions.get(key(server, uri))?.subscribers.keys() ?? [])];
  }

  async subscribe(
    session: SubscriberSession,
    route: { server: string; uri: string },
    exposed: string,
    deliver: (exposedUri: string) => void,
  ): Promise<void> {
    const k = key(route.server, route.uri);
    if (!this.#subscriptions.get(k)?.subscribers.has(session.id) && this.#countOf(session.id) >= this.#limit) {
      throw new CallError(
        GatewayErrorCode.Refused,
        `this session already holds ${this.#limit} resource subscriptions, the gateway's limit per session; unsubscribe from some first`,
        { limit: this.#limit },
      );
    }
    let subscription = this.#subscriptions.get(k);
    if (subscription === undefined) {
      subscription = {
        server: route.server,
        uri: route.uri,
        subscribers: new Map(),
        upstream: null,
        chain: Promise.resolve(),
        pending: 0,
      };
      this.#subscriptions.set(k, subscription);
    }
    const target = subscription;
    await this.#run(target, async () => {
      const isNew = !target.subscribers.has(session.id);
      target.subscribers.set(session.id, { exposed, deliver });
      try {
        await this.#ensure(target, session);
      } catch (error) {
        if (isNew) target.subscribers.delete(session.id);
        throw error;
      }
    });
  }

  async unsubscribe(sessionId: string, route: { server: string; uri: string }): Promise<void> {
    const subscription = this.#subscriptions.get(key(route.server, route.uri));
    if (subscription === undefined) return;
    await this.#run(subscription, async () => {
      subscription.subscribers.delete(sessionId);
      await this.#release(subscription);
    });
  }

  /** A session's unsubscribe, by the URI it subscribed with (its route may have changed since). */
  async unsubscribeExposed(sessionId: string, exposed: string): Promise<void> {
    const mine = [...this.#subscriptions.values()].filter(
      (subscription) => subscription.subscribers.get(sessionId)?.exposed === exposed,
    );
    await Promise.all(mine.map((subscription) => this.unsubscribe(sessionId, subscription)));
  }

  /** A closed session's subscriptions are dropped; upstream ones nobody else wants are ended. */
  dropSession(sessionId: string): void {
    for (const subscription of this.#subscriptions.values()) {
      if (!subscription.subscribers.has(sessionId)) continue;
      void this.#run(subscription, async () => {
        subscription.subscribers.delete(sessionId);
        await this.#release(subscription);
      }).catch(() => {});
    }
  }

  /** Subscribes upstream unless the current connection already is. */
  async #ensure(subscription: Subscription, session?: SubscriberSession): Promise<void> {
    const upstream = await whenServing(this.#directory, subscription.server, session?.extra?.signal);
    const client = upstream?.client;
    if (!upstream || !client) {
      subscription.upstream = null;
      throw new CallError(
        GatewayErrorCode.ServerUnavailable,
        upstream?.unavailableMessage() ?? `no server named "${subscription.server}"`,
      );
    }
    if (subscription.upstream === client) return;
    if (client.getServerCapabilities()?.resources?.subscribe !== true) {
      throw new CallError(
        ErrorCode.MethodNotFound,
        `server "${subscription.server}" does not support resource subscriptions`,
      );
    }
    const extra = session?.extra;
    const settled =
      extra === undefined
        ? () => {}
        : this.#inFlight.add(subscription.server, {
            session: session!.id,
            notify: (notification) => extra.sendNotification(notification),
          });
    try {
      await client.subscribeResource(
        { uri: subscription.uri },
        { timeout: upstream.timeouts.callMs, ...(extra ? { signal: extra.signal } : {}) },
      );
      subscription.upstream = client;
    } catch (error) {
      const message = (error as Error).message.replace(/^(MCP error -?\d+: )+/, '');
      const code = typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : -32603;
      throw new CallError(code, `server "${subscription.server}", resource "${subscription.uri}": ${message}`);
    } finally {
      settled();
    }
  }

  /** Ends the upstream subscription once nobody wants it. */
  async #release(subscription: Subscription): Promise<void> {
    if (subscription.subscribers.size > 0 || subscription.upstream === null) return;
    const client = subscription.upstream;
    subscription.upstream = null;
    if (this.#directory.get(subscription.server)?.client !== client) return;
    const timeout = this.#directory.get(subscription.server)?.timeouts.callMs;
    await client.unsubscribeResource({ uri: subscription.uri }, { timeout }).catch((error: unknown) => {
      this.#logger.debug('could not unsubscribe upstream', {
        server: subscription.server,
        uri: subscription.uri,
        error: (error as Error).message,
      });
    });
  }

  /** Runs one change of a subscription after the ones before it; forgets the subscription once idle and unused. */
  #run(subscription: Subscription, task: () => Promise<void>): Promise<void> {
    subscription.pending += 1;
    const run = subscription.chain.then(task);
    subscription.chain = run.catch(() => {});
    return run.finally(() => {
      subscription.pending -= 1;
      const k = key(subscription.server, subscription.uri);
      const idle = subscription.pending === 0 && subscription.subscribers.size === 0 && subscription.upstream === null;
      if (idle && this.#subscriptions.get(k) === subscription) this.#subscriptions.delete(k);
    });
  }
}

function key(server: string, uri: string): string {
  return `${server}\u0000${uri}`;
}
