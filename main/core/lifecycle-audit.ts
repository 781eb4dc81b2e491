// Server lifecycle and configuration changes in the audit trail: when did a server start, crash, get parked or
// blocked, and when did what Switchboard runs change. One record per change of state, not per health ping.
import type { AuditLog } from '../audit/audit-log.ts';
import type { Config } from '../config/schema.ts';
import { diffServers } from '../config/config-diff.ts';
import type { ServerState } from '../supervisor/server-state.ts';
import type { Supervisor } from '../supervisor/supervisor.ts';

/** The event name and details a state is recorded with. */
export function lifecycleEvent(state: ServerState): { method: string; detail: Record<string, unknown> } {
  switch (state.state) {
    case 'running':
      return { method: 'started', detail: { pid: state.pid } };
    case 'starting':
      return { method: 'starting', detail: { attempt: state.attempt } };
    case 'degraded':
      return { method: 'degraded', detail: { failedPings: state.failedPings, lastError: state.lastError } };
    case 'backoff':
      return {
        method: 'crashed',
        detail: {
          reason: state.lastExit.reason,
          code: state.lastExit.code,
          signal: state.lastExit.signal,
          retryAt: state.retryAt,
        },
      };
    case 'failed':
      return { method: 'failed', detail: { reason: state.reason, message: state.message } };
    case 'blocked':
      return { method: 'blocked', detail: { reason: state.reason, message: state.message } };
    case 'stopped':
      return { method: 'stopped', detail: {} };
    case 'idle':
      return { method: 'idle', detail: {} };
  }
}

/** Records every change of a server's state name; `starting` only when it is a restart (attempt > 1). */
export function auditLifecycle(supervisor: Supervisor, audit: AuditLog): void {
  const last = new Map<string, string>();
  supervisor.on('state', (server, state) => {
    if (last.get(server) === state.state) return;
    last.set(server, state.state);
    if (state.state === 'starting' && state.attempt <= 1) return;
    const { method, detail } = lifecycleEvent(state);
    void audit.record({ kind: 'lifecycle', outcome: 'info', server, method, detail });
  });
}

/** A record of what a config change changed: servers added, removed or changed, secrets renewed. */
export function auditConfigChange(
  audit: AuditLog,
  next: Config,
  previous: Config,
  renewedSecrets: readonly string[],
): void {
  const diff = diffServers(previous.servers, next.servers);
  const gatewayChanged = JSON.stringify(next.gateway) !== JSON.stringify(previous.gateway);
  const changed = diff.added.length + diff.removed.length + diff.changed.length + renewedSecrets.length > 0;
  // A secret's lastUsed stamp rewrites the file too; that is bookkeeping, not a change of what runs.
  if (!changed && !gatewayChanged && next.vault === previous.vault) return;
  void audit.record({
    kind: 'config',
    outcome: 'info',
    method: 'config-changed',
    detail: {
      added: diff.added,
      removed: diff.removed,
      changed: diff.changed,
      secretsRenewed: [...renewedSecrets],
      gatewayChanged,
    },
  });
}
