// Alerts about the team policy: a document refused (and why), a feed gone stale, a cache that failed its checks,
// an app older than the team requires. Each is logged, audited (kind `config`, method `team-policy-alert`) and
// handed to whoever shows it (the dashboard's event stream, the desktop notifications through `status`).
import type { AuditLog } from '../audit/audit-log.ts';
import type { Logger } from '../log/logger.ts';
import type { RejectReason } from './verify-document.ts';

export type AlertReason = RejectReason | 'stale' | 'app-version' | 'enrollment';

export interface TeamAlert {
  readonly reason: AlertReason;
  readonly message: string;
  /** ISO time it was raised. */
  readonly at: string;
  /** The team policy version in force when it was raised; null when none is. */
  readonly version: number | null;
}

export interface AlertSinks {
  readonly logger: Logger;
  readonly audit: AuditLog | null;
  readonly announce: (alert: TeamAlert) => void;
}

export function raiseAlert(sinks: AlertSinks, alert: TeamAlert): void {
  sinks.logger.warn(`team policy: ${alert.message}`, { reason: alert.reason, version: alert.version });
  void sinks.audit?.record({
    kind: 'config',
    outcome: 'info',
    method: 'team-policy-alert',
    detail: { reason: alert.reason, message: alert.message, version: alert.version },
  });
  sinks.announce(alert);
}

/** The audit record of a team document taking effect. */
export function auditApplied(audit: AuditLog | null, team: string, version: number, previous: number | null): void {
  void audit?.record({
    kind: 'config',
    outcome: 'info',
    method: 'team-policy-applied',
    detail: { team, version, previous },
  });
}
