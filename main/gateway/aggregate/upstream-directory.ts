// What the gateway needs to know about supervised servers, and nothing more: the composition root adapts the
// supervisor to this, so the gateway can be tested against any source of connected clients.
import type { EventEmitter } from 'node:events';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
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
}

export interface UpstreamEvents {
  state: [name: string, state: ServerState];
  /** The server announced that its tools changed (`notifications/tools/list_changed`). */
  toolsChanged: [name: string];
  /** The set of configured servers changed (added or removed). */
  membership: [];
}

export interface UpstreamDirectory extends EventEmitter<UpstreamEvents> {
  get(name: string): Upstream | undefined;
  list(): readonly Upstream[];
}
