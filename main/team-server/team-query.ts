// Reading the team's audit trail: every member's records with the desktop's filters (audit-where.ts, the same
// translation the desktop uses) plus member and install, newest first by (ts, seq) with an opaque cursor, free
// text through PostgreSQL's full text over the same words the desktop's FTS5 index holds; and the two summaries of
// the team dashboard: activity per member and per server over a time range, and which policy version each install
// enforces.
import type pg from 'pg';
import type {
  TeamActivityView,
  TeamAuditPageView,
  TeamAuditRecordView,
  TeamPolicyStatusView,
} from '../../preload/team-contract.ts';
import { filterClauses, NumberedParams, type RecordFilter } from '../audit/audit-where.ts';

export type Queryable = Pick<pg.Pool, 'query'>;

export interface TeamAuditQuery extends RecordFilter {
  readonly text?: string | undefined;
  /** The `next` of the previous page. */
  readonly cursor?: string | undefined;
  readonly limit?: number | undefined;
}

export const MAX_TEAM_PAGE = 1000;

export type TeamResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** The cursor names the last record of a page by its place in the order; base64url so it stays opaque. */
export function encodeCursor(ts: number, seq: string): string {
  return Buffer.from(`${ts}:${seq}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { ts: number; seq: string } | null {
  const match = /^(\d{1,16}):(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match === null ? null : { ts: Number(match[1]), seq: match[2]! };
}

/**
 * A free-text search as a tsquery: split on white space, each word then on what is not a letter or digit (as
 * SQLite's unicode61 tokenizer splits), the parts of a word in order (`<->`), its last part as a prefix (`:*`),
 * every word required (`&`). The parts are letters and digits only, so user text is never tsquery syntax.
 */
export function tsQuery(text: string): string | null {
  const words = text
    .split(/\s+/)
    .map((word) =>
      word
        .toLowerCase()
        .split(/[^\p{L}\p{N}]+/u)
        .filter((part) => part.length > 0),
    )
    .filter((parts) => parts.length > 0);
  if (words.length === 0) return null;
  return words.map((parts) => `${parts.join(' <-> ')}:*`).join(' & ');
}

interface AuditRow {
  uid: string;
  seq: string;
  member: string;
  install_id: string;
  local_id: string;
  ts: string;
  kind: string;
  method: string | null;
  outcome: string;
  client: string | null;
  server: string | null;
  target: string | null;
  arguments: string | null;
  decision: string | null;
  rule: string | null;
  duration_ms: number | null;
  error: string | null;
}

const COLUMNS =
  'uid, seq, member, install_id, local_id, ts, kind, method, outcome, client, server, target, arguments, decision, rule, duration_ms, error';

function recordOf(row: AuditRow): TeamAuditRecordView {
  return {
    uid: row.uid,
    member: row.member,
    install: row.install_id,
    localId: Number(row.local_id),
    ts: Number(row.ts),
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
    error: row.error,
  };
}

/** One page, newest first. A cursor this server did not make is refused rather than guessed at. */
export async function queryTeamAudit(db: Queryable, q: TeamAuditQuery): Promise<TeamResult<TeamAuditPageView>> {
  const limit = Math.max(1, Math.min(q.limit ?? 100, MAX_TEAM_PAGE));
  const params = new NumberedParams();
  const clauses = filterClauses(q, params);
  if (q.cursor !== undefined) {
    const after = decodeCursor(q.cursor);
    if (after === null) return { ok: false, error: 'cursor: not a cursor this server gave; start from the first page' };
    // A row comparison walks the (…, ts DESC, seq DESC) indexes from the cursor on.
    clauses.push(`(ts, seq) < (${params.add('ts', after.ts)}, ${params.add('seq', after.seq)})`);
  }
  const match = q.text === undefined ? null : tsQuery(q.text);
  if (match !== null) {
    // Migration 2's stored words of the target and arguments, and their index.
    clauses.push(`words @@ to_tsquery('simple', ${params.add('text', match)})`);
  }
  const where = clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`;
  const { rows } = await db.query<AuditRow>(
    `SELECT ${COLUMNS} FROM audit ${where} ORDER BY ts DESC, seq DESC LIMIT ${params.add('limit', limit + 1)}`,
    params.values,
  );
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  return {
    ok: true,
    value: {
      records: page.map(recordOf),
      next: more && last !== undefined ? encodeCursor(Number(last.ts), last.seq) : null,
    },
  };
}

interface ActivityRow {
  member: string | null;
  server: string | null;
  /** 1: a member's row, 2: a server's (GROUPING's bits). */
  g: number;
  calls: string;
  errors: string;
  last_seen: string;
}

/**
 * Requests and their errors (any outcome but `ok`, as the desktop's metrics count them) per member and per server,
 * busiest first, in one pass over the range (GROUPING SETS) rather than one per grouping.
 */
export async function teamActivity(db: Queryable, since: number, until: number): Promise<TeamActivityView> {
  const params = new NumberedParams();
  const clauses = filterClauses({ since, until }, params);
  const { rows } = await db.query<ActivityRow>(
    `SELECT member, server, GROUPING(member, server) AS g,
       count(*) FILTER (WHERE kind = 'request') AS calls,
       count(*) FILTER (WHERE kind = 'request' AND outcome <> 'ok') AS errors,
       max(ts) AS last_seen
     FROM audit WHERE ${clauses.join(' AND ')}
     GROUP BY GROUPING SETS ((member), (server))`,
    params.values,
  );
  const counts = (row: ActivityRow) => ({
    calls: Number(row.calls),
    errors: Number(row.errors),
    lastSeen: Number(row.last_seen),
  });
  const busiest = <T extends { calls: number }>(list: T[], name: (item: T) => string): T[] =>
    list.sort((a, b) => b.calls - a.calls || (name(a) < name(b) ? -1 : 1));
  return {
    since,
    until,
    members: busiest(
      rows.filter((r) => r.g === 1).map((r) => ({ member: r.member!, ...counts(r) })),
      (m) => m.member,
    ),
    servers: busiest(
      rows.filter((r) => r.g === 2 && r.server !== null).map((r) => ({ server: r.server!, ...counts(r) })),
      (s) => s.server,
    ),
  };
}

interface VersionRow {
  version: number;
  sha256: string;
  issued_at: Date | null;
  expires_at: Date;
  published_at: Date;
  installs: string;
}

interface InstallRow {
  install_id: string;
  member: string;
  host: string;
  app_version: string;
  policy_version: number | null;
  last_seen: Date;
  breaks: string;
}

/** Every published version with how many installs enforce it, and every install with where it stands. */
export async function teamPolicyStatus(db: Queryable): Promise<TeamPolicyStatusView> {
  const versions = await db.query<VersionRow>(
    `SELECT v.version, v.sha256, v.issued_at, v.expires_at, v.published_at,
       (SELECT count(*) FROM installs i WHERE i.policy_version = v.version) AS installs
     FROM policy_versions v ORDER BY v.version DESC`,
  );
  const installs = await db.query<InstallRow>(
    `SELECT i.install_id, m.name AS member, i.host, i.app_version, i.policy_version, i.last_seen,
       (SELECT count(*) FROM chain_breaks b WHERE b.install_id = i.install_id) AS breaks
     FROM installs i JOIN members m ON m.id = i.member_id
     ORDER BY i.last_seen DESC, i.install_id`,
  );
  return {
    versions: versions.rows.map((row) => ({
      version: row.version,
      sha256: row.sha256,
      issuedAt: row.issued_at === null ? null : row.issued_at.toISOString(),
      expiresAt: row.expires_at.toISOString(),
      publishedAt: row.published_at.toISOString(),
      installs: Number(row.installs),
    })),
    installs: installs.rows.map((row) => ({
      install: row.install_id,
      member: row.member,
      host: row.host,
      appVersion: row.app_version,
      policyVersion: row.policy_version,
      lastSeen: row.last_seen.toISOString(),
      chainBreaks: Number(row.breaks),
    })),
  };
}
