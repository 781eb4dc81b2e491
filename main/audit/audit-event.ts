// What one audit record says. Kinds and outcomes are closed sets so reports can count them.
import { AUDIT_OUTCOMES, type AuditOutcomeName } from '../../preload/contract.ts';

/**
 * `request`: a client's request that acts on a server (tools/call, resources/read, prompts/get, completion/complete);
 * `server-request`: a server's request routed to a client (sampling/createMessage, elicitation/create);
 * `auth` and `session`: who connected, and what was refused; `lifecycle`: a server started, crashed, was restarted
 * or failed; `config`: config.json or team policy changed.
 */
export type AuditKind = 'request' | 'server-request' | 'auth' | 'session' | 'lifecycle' | 'config';

/** The closed set of outcomes, defined with the dashboard's contract so the UI filters by the same list. */
export type AuditOutcome = AuditOutcomeName;
export { AUDIT_OUTCOMES };

export const AUDIT_KINDS: readonly AuditKind[] = [
  'request',
  'server-request',
  'auth',
  'session',
  'lifecycle',
  'config',
];

export interface AuditEvent {
  readonly id: number;
  readonly ts: number;
  readonly kind: AuditKind;
  /** The MCP method (`tools/call`, `resources/read`, …) for requests; an event name (`started`, …) otherwise. */
  readonly method: string | null;
  readonly outcome: AuditOutcome;
  readonly client: string | null;
  readonly server: string | null;
  /** The tool, resource URI, prompt or completion reference the request named. */
  readonly target: string | null;
  /** The request's arguments as JSON, secrets masked, cut at a size limit with a marker. */
  readonly arguments: string | null;
  /** What policy decided (`allow` or `deny`) and the rule that decided it. */
  readonly decision: string | null;
  readonly rule: string | null;
  readonly durationMs: number | null;
  readonly requestBytes: number | null;
  readonly responseBytes: number | null;
  /** One line: what went wrong. */
  readonly error: string | null;
  /** The upstream's full error (message, data, stack) as it came, masked and size-capped. */
  readonly errorDetail: string | null;
  readonly protocolVersion: string | null;
  readonly sessionId: string | null;
  /** Small structured extras (a refused request's path and reason, a lifecycle event's exit code), as JSON. */
  readonly detail: Readonly<Record<string, unknown>> | null;
  /**
   * Whom the call was made for, on a shared gateway (the JWT's or the team server's member name); null on a
   * desktop. Hashed only when set, so records without it hash as they did before the field existed.
   */
  readonly member: string | null;
  /** The previous record's hash, and this one's: SHA-256 over the previous hash and every field above. */
  readonly prevHash: string;
  readonly hash: string;
}

/** What a caller records; the log fills in id, time (unless given) and the chain. */
export type AuditEventInput = Partial<Omit<AuditEvent, 'id' | 'prevHash' | 'hash' | 'arguments' | 'errorDetail'>> &
  Pick<AuditEvent, 'kind' | 'outcome'> & {
    /** Serialized, masked and capped by the log. */
    readonly arguments?: unknown;
    readonly errorDetail?: unknown;
  };
