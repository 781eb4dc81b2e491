// The control contract (preload/contract.ts) answered by a running core: status as `switchboard status` shows it,
// server actions as the CLI takes them, and audit pages without arguments or error details (the list shows
// who did what; a record's detail is a separate, later call).
import type { AuditPageView, Answer, ControlApi, ServerAction, StatusView } from '../../preload/contract.ts';
import { AUDIT_OUTCOMES, type AuditOutcome } from '../audit/audit-event.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { MAX_PAGE } from '../audit/audit-query.ts';
import type { ActionResult } from '../control/control-server.ts';
import type { StatusReport } from '../core/status-report.ts';

export interface ControlledCore {
  status(): StatusReport;
  serverAction(name: string, action: ServerAction): Promise<ActionResult>;
  readonly audit: AuditLog;
}

export function coreControlApi(core: ControlledCore): ControlApi {
  return {
    status: async (): Promise<Answer<StatusView>> => {
      return { ok: true, value: core.status() };
    },
    serverAction: async (name, action): Promise<Answer<null>> => {
      const done = await core.serverAction(name, action);
      return done.ok ? { ok: true, value: null } : { ok: false, error: done.error };
    },
    audit: async (query): Promise<Answer<AuditPageView>> => {
      if (query.outcome !== undefined && !AUDIT_OUTCOMES.includes(query.outcome as AuditOutcome)) {
        return { ok: false, error: `outcome must be one of ${AUDIT_OUTCOMES.join(', ')}` };
      }
      if (query.limit !== undefined && (query.limit < 1 || query.limit > MAX_PAGE)) {
        return { ok: false, error: `limit must be from 1 to ${MAX_PAGE}` };
      }
      const page = core.audit.query({
        client: query.client,
        server: query.server,
        target: query.tool,
        outcome: query.outcome as AuditOutcome | undefined,
        text: query.text,
        since: query.since,
        until: query.until,
        before: query.before,
        limit: query.limit ?? 100,
      });
      return {
        ok: true,
        value: {
          next: page.next,
          events: page.events.map((e) => ({
            id: e.id,
            ts: e.ts,
            kind: e.kind,
            method: e.method,
            outcome: e.outcome,
            client: e.client,
            server: e.server,
            target: e.target,
            durationMs: e.durationMs,
            error: e.error,
          })),
        },
      };
    },
  };
}
