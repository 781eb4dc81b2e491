// What the gateway needs to know about supervised servers, and nothing more: the composition root adapts the
// supervisor to this, so the gateway can be tested against any source of connected clients.
import type { EventEmitter } from 'node:events';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { LoggingMessageNotification } from '@modelcontextprotocol/sdk/types.js';
import type { Timeouts } from '../../config/schema.ts';
import type { ServerState } from '../../supervisor/server-state.ts';

export interface Upstream {
  readonly name: string;
  readonly enabled: boolean;
  readonly state: ServerState;
  /** Connected client while the server is serving (running or degraded); null otherwise. */
  readonly client: Client | null;
  readonly timeouts: Timeouts;
  /** Why calls cannot be served right now, and when the next retry is: shown to callers as is. */
  unavailableMessage(): string;
  /** A credential problem worth adding to an upstream error (e.g. its secret has expired), or null. */
  credentialNotice?(): string | null;
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
  /** `notifications/message`: a log message, exactly as the server sent it. */
  logMessage: [name: string, params: LoggingMessageNotification['params']];
  /** The set of configured servers changed (added or removed). */
  membership: [];
}

export interface UpstreamDirectory extends EventEmitter<UpstreamEvents> {
  get(name: string): Upstream | undefined;
  list(): readonly Upstream[];
}
