// The client sessions open right now, as the parts that fan notifications out (log messages, resource updates)
// need to see them: which servers each can see, the log level it asked for, and how to reach its stream.
import type { LoggingLevel, ServerNotification } from '@modelcontextprotocol/sdk/types.js';

export interface SessionPeer {
  readonly id: string;
  /** The server a `/mcp/<server>` session is scoped to; null on the aggregated `/mcp`. */
  readonly scope: string | null;
  /** The client (token name) the session belongs to, when known: a per-client instance's messages go to it. */
  readonly client?: string;
  /** The level the session asked for with logging/setLevel; null until it does. */
  level: LoggingLevel | null;
  /** Sends a notification tied to no request (it travels on the session's GET stream). */
  notify(notification: ServerNotification): Promise<void>;
}

export class SessionRegistry {
  readonly #peers = new Map<string, SessionPeer>();

  add(peer: SessionPeer): void {
    this.#peers.set(peer.id, peer);
  }

  remove(id: string): void {
    this.#peers.delete(id);
  }

  get(id: string): SessionPeer | undefined {
    return this.#peers.get(id);
  }

  /** Sessions that see `server`: every aggregated one, and those scoped to it. */
  seeing(server: string): SessionPeer[] {
    return [...this.#peers.values()].filter((peer) => peer.scope === null || peer.scope === server);
  }
}
