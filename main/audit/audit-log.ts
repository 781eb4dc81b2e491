// The audit trail: insert and query, never update or delete. Inserts are batched into one transaction per tick so
// that recording a tool call costs the hot path a push onto an array; close() writes what is pending.
import type Database from 'better-sqlite3';
import type { AuditEvent, AuditEventInput, AuditKind, AuditOutcome } from './audit-event.ts';

export interface AuditQuery {
  readonly kind?: AuditKind;
  readonly outcome?: AuditOutcome;
  readonly server?: string;
  readonly client?: string;
  readonly sinceTs?: number;
  readonly limit?: number;
}

interface Row {
  ts: number;
  kind: AuditKind;
  outcome: AuditOutcome;
  client: string | null;
  server: string | null;
  tool: string | null;
  duration_ms: number | null;
  error: string | null;
  protocol_version: string | null;
  session_id: string | null;
  detail: string | null;
}

export class AuditLog {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement;
  readonly #insertMany: (events: readonly AuditEvent[]) => void;
  #pending: AuditEvent[] = [];
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  /** Masks secrets in error texts and details as they are written; identity when none is given. */
  constructor(db: Database.Database, redact: (text: string) => string = (text) => text) {
    this.#db = db;
    this.#insert = db.prepare(
      `INSERT INTO events (ts, kind, outcome, client, server, tool, duration_ms, error, protocol_version, session_id, detail)
       VALUES (@ts, @kind, @outcome, @client, @server, @tool, @durationMs, @error, @protocolVersion, @sessionId, @detail)`,
    );
    this.#insertMany = db.transaction((events: readonly AuditEvent[]) => {
      for (const e of events) {
        this.#insert.run({
          ...e,
          error: e.error === null ? null : redact(e.error),
          detail: e.detail === null ? null : redact(JSON.stringify(e.detail)),
        });
      }
    });
  }

  record(input: AuditEventInput): void {
    if (this.#closed) return;
    this.#pending.push({
      ts: input.ts ?? Date.now(),
      kind: input.kind,
      outcome: input.outcome,
      client: input.client ?? null,
      server: input.server ?? null,
      tool: input.tool ?? null,
      durationMs: input.durationMs ?? null,
      error: input.error ?? null,
      protocolVersion: input.protocolVersion ?? null,
      sessionId: input.sessionId ?? null,
      detail: input.detail ?? null,
    });
    if (this.#timer === null) this.#timer = setTimeout(() => this.flush(), 20);
  }

  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#insertMany(batch);
  }

  query(q: AuditQuery = {}): AuditEvent[] {
    this.flush();
    const filters: [column: string, value: unknown][] = [
      ['kind', q.kind],
      ['outcome', q.outcome],
      ['server', q.server],
      ['client', q.client],
    ];
    const where = filters.filter(([, v]) => v !== undefined).map(([c]) => `${c} = @${c}`);
    const params: Record<string, unknown> = Object.fromEntries(filters.filter(([, v]) => v !== undefined));
    params.limit = q.limit ?? 1000;
    if (q.sinceTs !== undefined) {
      where.push('ts >= @sinceTs');
      params.sinceTs = q.sinceTs;
    }
    const sql = `SELECT * FROM events ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT @limit`;
    return (this.#db.prepare(sql).all(params) as Row[]).map(fromRow);
  }

  close(): void {
    if (this.#closed) return;
    this.flush();
    this.#closed = true;
    this.#db.close();
  }
}

function fromRow(row: Row): AuditEvent {
  return {
    ts: row.ts,
    kind: row.kind,
    outcome: row.outcome,
    client: row.client,
    server: row.server,
    tool: row.tool,
    durationMs: row.duration_ms,
    error: row.error,
    protocolVersion: row.protocol_version,
    sessionId: row.session_id,
    detail: row.detail === null ? null : (JSON.parse(row.detail) as Record<string, unknown>),
  };
}
