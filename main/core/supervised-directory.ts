// Presents the supervisor to the gateway as an UpstreamDirectory, and wires each new upstream client so the
// gateway hears when a server's tools change.
import { EventEmitter } from 'node:events';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
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
