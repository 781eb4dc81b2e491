// Reading the audit trail: filters (made SQL by audit-where.ts, as the team server's are), free text over targets
// and arguments (FTS5), and cursor pagination by id, newest first. Every filter has an index that walks in id
// order, so a page comes from the newest matching records without sorting the table.
import type Database from 'better-sqlite3';
import type { AuditEvent, AuditKind, AuditOutcome } from './audit-event.ts';
import { filterClauses, NamedParams, type RecordFilter } from './audit-where.ts';

/** The filter both databases share, less what only team records carry (a desktop has no installs but its own). */
export interface AuditFilter extends Omit<RecordFilter, 'install'> {
  readonly kind?: AuditKind | undefined;
  readonly outcome?: AuditOutcome | undefined;
  /** Words that must all occur in the target or the arguments (prefix match on the last letters of each). */
  readonly text?: string | undefined;
}

export interface AuditQuery extends AuditFilter {
  /** The `next` of the previous page: records older than it. */
  readonly before?: number | undefined;
  readonly limit?: number | undefined;
}

export interface AuditPage {
  readonly events: AuditEvent[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  readonly next: number | null;
}

export const MAX_PAGE = 10_000;

interface Row {
  id: number;
  ts: number;
  kind: AuditKind;
  method: string | null;
  outcome: AuditOutcome;
  client: string | null;
  server: string | null;
  target: string | null;
  arguments: string | null;
  decision: string | null;
  rule: string | null;
  duration_ms: number | null;
  request_bytes: number | null;
  response_bytes: number | null;
  error: string | null;
  error_detail: string | null;
  protocol_version: string | null;
  session_id: string | null;
  detail: string | null;
  prev_hash: string;
  hash: string;
  member: string | null;
}

export function eventFromRow(row: Row): AuditEvent {
  return {
    id: row.id,
    ts: row.ts,
    kind: row.kind,
    method: row.method,
    outcome: row.outcome,
    client: row.client,
    server: row.server,
    target: row.target,
    arguments: row.arguments,
    decision: row.decision,
    rule: row.rule,
    durationMs: row.duration_ms,
    requestBytes: row.request_bytes,
    responseBytes: row.response_bytes,
    error: row.error,
    errorDetail: row.error_detail,
    protocolVersion: row.protocol_version,
    sessionId: row.session_id,
    detail: row.detail === null ? null : (JSON.parse(row.detail) as Record<string, unknown>),
    member: row.member ?? null,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** Each word as an FTS5 prefix phrase: `"word"*`, quotes doubled, so user text is never FTS syntax. */
export function ftsQuery(text: string): string | null {
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  if (words.length === 0) return null;
  return words.map((w) => `"${w.replace(/"/g, '""')}"*`).join(' ');
}

/**
 * The WHERE clause and parameters of a filter (and cursor), for pages and exports alike; `alias` prefixes the
 * columns when the audit table is joined. Text is not handled here: it decides the shape of the query.
 */
export function whereOf(
  filter: AuditFilter & { before?: number | undefined; minId?: number | undefined },
  alias = '',
): { clauses: string[]; params: Record<string, unknown> } {
  const params = new NamedParams();
  const clauses = filterClauses(filter, params, alias);
  if (filter.before !== undefined) clauses.push(`${alias}id < ${params.add('before', filter.before)}`);
  if (filter.minId !== undefined) clauses.push(`${alias}id >= ${params.add('minId', filter.minId)}`);
  return { clauses, params: params.values };
}

/**
 * Ids bounding a time range, found through the time index in two lookups, so a range query walks ids rather than
 * sorting every record in the range. Records are written in time order, so the bounds are exact but for a clock
 * that stepped back, whose records the exact time condition (kept alongside) still judges.
 */
function idBounds(
  db: Database.Database,
  since: number | undefined,
  until: number | undefined,
): { lo?: number; hi?: number } | null {
  const bounds: { lo?: number; hi?: number } = {};
  if (since !== undefined) {
    const row = db.prepare('SELECT id FROM audit WHERE ts >= ? ORDER BY ts LIMIT 1').get(since) as
      { id: number } | undefined;
    if (row === undefined) return null;
    bounds.lo = row.id;
  }
  if (until !== undefined) {
    const row = db.prepare('SELECT id FROM audit WHERE ts <= ? ORDER BY ts DESC LIMIT 1').get(until) as
      { id: number } | undefined;
    if (row === undefined) return null;
    bounds.hi = row.id;
  }
  return bounds;
}

export function queryAudit(db: Database.Database, q: AuditQuery): AuditPage {
  const limit = Math.max(1, Math.min(q.limit ?? 100, MAX_PAGE));
  const bounds = idBounds(db, q.since, q.until);
  if (bounds === null) return { events: [], next: null };
  const before = Math.min(q.before ?? Infinity, bounds.hi === undefined ? Infinity : bounds.hi + 1);
  const filter = { ...q, before: before === Infinity ? undefined : before, minId: bounds.lo };
  const match = q.text === undefined ? null : ftsQuery(q.text);
  let rows: Row[];
  if (match !== null) {
    // The text index drives: it yields matches newest first and the other filters are checked on each, so a page
    // stops after `limit` matches instead of collecting every match first.
    const { clauses, params } = whereOf(filter, 'a.');
    const where = ['audit_text MATCH @text', ...clauses].join(' AND ');
    rows = db
      .prepare(
        `SELECT a.* FROM audit_text JOIN audit a ON a.id = audit_text.rowid WHERE ${where} ORDER BY audit_text.rowid DESC LIMIT @limit`,
      )
      .all({ ...params, text: match, limit: limit + 1 }) as Row[];
  } else {
    const { clauses, params } = whereOf(filter);
    const where = clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`;
    rows = db
      .prepare(`SELECT * FROM audit ${where} ORDER BY id DESC LIMIT @limit`)
      .all({ ...params, limit: limit + 1 }) as Row[];
  }
  const more = rows.length > limit;
  const events = (more ? rows.slice(0, limit) : rows).map(eventFromRow);
  return { events, next: more ? events[events.length - 1]!.id : null };
}

export function readEvent(db: Database.Database, id: number): AuditEvent | null {
  const row = db.prepare('SELECT * FROM audit WHERE id = ?').get(id) as Row | undefined;
  return row === undefined ? null : eventFromRow(row);
}

/** Every matching record, oldest first, one at a time: constant memory for any size. */
export function* iterateAudit(db: Database.Database, filter: AuditFilter): Generator<AuditEvent> {
  const { clauses, params } = whereOf(filter);
  const match = filter.text === undefined ? null : ftsQuery(filter.text);
  if (match !== null) {
    clauses.push('id IN (SELECT rowid FROM audit_text WHERE audit_text MATCH @text)');
    params['text'] = match;
  }
  const where = clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`;
  for (const row of db.prepare(`SELECT * FROM audit ${where} ORDER BY id`).iterate(params) as IterableIterator<Row>) {
    yield eventFromRow(row);
  }
}
