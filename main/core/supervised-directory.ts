// Presents the supervisor to the gateway as an UpstreamDirectory, and wires each new upstream client: the gateway
// hears when a server's tools change, a call's progress reaches it before the call's result, and the server's own
// requests (sampling, elicitation, roots) are refused with a reason.
import { EventEmitter } from 'node:events';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ErrorCode,
  ListRootsRequestSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { CallError } from '../gateway/aggregate/call-router.ts';
import type { Upstream, UpstreamDirectory, UpstreamEvents } from '../gateway/aggregate/upstream-directory.ts';
import type { ManagedServer } from '../supervisor/managed-server.ts';
import type { Supervisor } from '../supervisor/supervisor.ts';

export class SupervisedDirectory extends EventEmitter<UpstreamEvents> implements UpstreamDirectory {
  #supervisor: Supervisor | null = null;

  /** Called by the supervisor for every client it creates, before it connects. */
  readonly onClient = (name: string, client: Client): void => {
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      this.emit('toolsChanged', name);
    });
    // The upstream connection is shared by every client session, and over stdio nothing says which call a
    // server's own request belongs to. Until such requests are routed to the right caller, they are refused
    // with a message that says why, never guessed (a wrong guess would send one user's data to another).
    for (const schema of [CreateMessageRequestSchema, ElicitRequestSchema, ListRootsRequestSchema]) {
      client.setRequestHandler(schema, (request) => {
        throw new CallError(
          ErrorCode.MethodNotFound,
          `Switchboard does not pass ${request.method} on to its clients yet: server "${name}" shares one connection among all of them, and the request could reach the wrong one`,
        );
      });
    }
  };

  attach(supervisor: Supervisor): void {
    this.#supervisor = supervisor;
    supervisor.on('state', (name, state) => this.emit('state', name, state));
  }

  get(name: string): Upstream | undefined {
    const server = this.#supervisor?.get(name);
    return server ? asUpstream(server) : undefined;
  }

  list(): readonly Upstream[] {
    return (this.#supervisor?.list() ?? []).map(asUpstream);
  }
}

function asUpstream(server: ManagedServer): Upstream {
  return {
    name: server.name,
    enabled: server.config.enabled,
    state: server.state,
    client: server.client,
    timeouts: server.config.timeouts,
    unavailableMessage: () => server.unavailableError(),
  };
}
