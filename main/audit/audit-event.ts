// What one audit record says. Outcomes are a closed set so reports can count them.

export type AuditKind = 'tool-call' | 'auth' | 'session';

export type AuditOutcome =
  | 'ok'
  | 'error'
  | 'timeout'
  | 'cancelled'
  | 'unavailable'
  | 'unknown-tool'
  | 'unauthenticated'
  | 'throttled'
  | 'forbidden'
  | 'session-mismatch';

export interface AuditEvent {
  readonly ts: number;
  readonly kind: AuditKind;
  readonly outcome: AuditOutcome;
  readonly client: string | null;
  readonly server: string | null;
  readonly tool: string | null;
  readonly durationMs: number | null;
  readonly error: string | null;
  readonly protocolVersion: string | null;
  readonly sessionId: string | null;
  /** Small structured extras (e.g. the path and reason of a refused request), stored as JSON. */
  readonly detail: Readonly<Record<string, unknown>> | null;
}

export type AuditEventInput = Partial<AuditEvent> & Pick<AuditEvent, 'kind' | 'outcome'>;
