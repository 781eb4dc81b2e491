// What the gateway needs to know about supervised servers, and nothing more: the composition root adapts the
// supervisor to this, so the gateway can be tested against any source of connected clients.
import type { EventEmitter } from 'node:events';
import type { LoggingMessageNotification } from '@modelcontextprotocol/sdk/types.js';
import type { DegradedSettings, Timeouts } from '../../config/schema.ts';
import type { InstanceRef } from '../../supervisor/instance-pool.ts';
import type { ServerState } from '../../supervisor/server-state.ts';
import type { UpstreamClient } from '../../supervisor/upstream-client.ts';

/** Who a request is for, as far as choosing an isolated server's instance goes. */
export interface RequestOwner {
  /** The session as the session registry knows it. */
  readonly session: string;
  /** The client (its token's name); null when not known. */
  readonly client: string | null;
  /** A 2026-07-28 request: it has no session of its own, so a per-session server treats it per client. */
  readonly sessionless: boolean;
}

/** The owner's own instance of an isolated server. */
export interface UpstreamInstance {
  /** Requests waiting on this instance are told apart by it from those on the server's shared connection. */
  readonly key: string;
  /** Its client, started on first use; rejects with a CallError (instance limit, failed start). */
  lease(signal: AbortSignal): Promise<UpstreamLease>;
}

export interface UpstreamLease {
  readonly client: UpstreamClient;
  /** Why the instance ended, once it has; null while it serves. */
  ended(): string | null;
  /** Call once, when the request is over. */
  release(): void;
}

export interface Upstream {
  readonly name: string;
  readonly enabled: boolean;
  readonly state: ServerState;
  /** Connected client while the server is serving (running or degraded); null otherwise. */
  readonly client: UpstreamClient | null;
  readonly timeouts: Timeouts;
  /** Started by the first request that needs it and stopped when idle (`start: "on-demand"`). */
  readonly onDemand?: boolean;
  /**
   * Starts an idle on-demand server, or waits for one starting; resolves once that attempt has settled (read
   * `client` and `state` again then). Concurrent callers share one start. Leaves a server in any other state alone.
   */
  demand?(): Promise<void>;
  /** Degraded mode: which tools may be answered from the last good result while the server is down. */
  readonly degraded?: DegradedSettings | undefined;
  /** Why calls cannot be served right now, and when the next retry is: shown to callers as is. */
  unavailableMessage(): string;
  /** A credential problem worth adding to an upstream error (e.g. its secret has expired), or null. */
  credentialNotice?(): string | null;
  /**
   * The instance that serves `owner` on a server with isolation, or null where requests go to the shared `client`.
   * Lists (catalogs) always use the shared `client`.
   */
  instanceFor?(owner: RequestOwner): UpstreamInstance | null;
}

export interface UpstreamEvents {
  state: [name: string, state: ServerState];
  /** The server announced that its tools changed (`notifications/tools/list_changed`). */
  toolsChanged: [name: string];
  /** `notifications/prompts/list_changed`. */
  promptsChanged: [name: string];
  /** `notifications/resources/list_changed` (resources or resource templates). */
  resourcesChanged: [name: string];
  /** `notifications/resources/updated` for one of the server's URIs (as the server names it). */
  resourceUpdated: [name: string, uri: string];
  /**
   * `notifications/message`: a log message, exactly as the server sent it; `instance` when an isolated server's
   * instance sent it, which makes it its owner's alone.
   */
  logMessage: [name: string, params: LoggingMessageNotification['params'], instance?: InstanceRef];
  /**
   * `notifications/elicitation/complete` for a URL-mode elicitation the server sent to `session` (2025-11-25):
   * that session's alone.
   */
  elicitationComplete: [name: string, session: string, elicitationId: string];
  /** The set of configured servers changed (added or removed). */
  membership: [];
}

export interface UpstreamDirectory extends EventEmitter<UpstreamEvents> {
  get(name: string): Upstream | undefined;
  list(): readonly Upstream[];
  /** A client session ended: the instances it owned are stopped. */
  sessionEnded?(session: string): void;
}
