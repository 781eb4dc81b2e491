// The events an open dashboard follows, gathered from the core's parts into one ordered stream: server states,
// new audit records, stderr lines and catalog changes. The HTTP door's WebSocket and the Electron window both
// listen here. An event is built only while someone listens, so a core with no dashboard open pays nothing.
import type { ControlEvent } from '../../preload/contract.ts';
import type { AuditEventInput } from '../audit/audit-event.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { ToolCatalog } from '../gateway/aggregate/tool-catalog.ts';
import type { UpstreamDirectory } from '../gateway/aggregate/upstream-directory.ts';
import type { Supervisor } from '../supervisor/supervisor.ts';

interface Listener {
  readonly send: (event: ControlEvent) => void;
  /** Whether this listener wants events now (an HTTP door with no open stream does not). */
  readonly wants: () => boolean;
}

/** A new audit record as the stream shows it: who did what to which server, and how it went. */
export function auditEvent(input: AuditEventInput): ControlEvent {
  const { kind, outcome, method = null, client = null, server = null, target = null } = input;
  return { type: 'audit', record: { ts: input.ts ?? Date.now(), kind, method, outcome, client, server, target } };
}

export class ControlEvents {
  readonly #listeners = new Set<Listener>();

  constructor(parts: { supervisor: Supervisor; audit: AuditLog; catalog: ToolCatalog; directory: UpstreamDirectory }) {
    const { supervisor, audit, catalog, directory } = parts;
    supervisor.on('state', (server, state) => this.#emit(() => ({ type: 'server-state', server, state })));
    supervisor.on('log', (server, line) => this.#emit(() => ({ type: 'log', server, line })));
    audit.subscribe((input) => this.#emit(() => auditEvent(input)));
    const changed = (server: string) => this.#emit(() => ({ type: 'catalog', server }));
    catalog.on('changed', changed);
    directory.on('resourcesChanged', changed);
    directory.on('promptsChanged', changed);
  }

  /** An event from a part that is not wired here (a first sighting of a client). */
  announce(event: ControlEvent): void {
    this.#emit(() => event);
  }

  /** Adds a listener; returns the way to remove it. */
  listen(send: (event: ControlEvent) => void, wants: () => boolean = () => true): () => void {
    const listener = { send, wants };
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(build: () => ControlEvent): void {
    let event: ControlEvent | null = null;
    for (const listener of this.#listeners) {
      if (!listener.wants()) continue;
      event ??= build();
      try {
        listener.send(event);
      } catch {
        // One broken listener (a closed window) must not keep the others, or the core, from the event.
      }
    }
  }
}
