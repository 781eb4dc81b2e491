// The audit database: a SQLite file with numbered migrations, applied in order, each in one transaction. A
// database written by a newer Switchboard is refused rather than half-understood.
//
// Durability: WAL with synchronous=NORMAL. A committed transaction is in the WAL file when COMMIT returns, so it
// survives the process being killed (kill -9, a crash); a power cut can lose the transactions since the last
// checkpoint's sync. Records are committed before the response they describe is sent (see audit-log.ts).
import Database from 'better-sqlite3';
import { GENESIS_HASH, chainHash } from './audit-chain.ts';

type Db = Database.Database;

const AUDIT_TABLE = `
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    ts INTEGER NOT NULL,
    kind TEXT NOT NULL,
    method TEXT,
    outcome TEXT NOT NULL,
    client TEXT,
    server TEXT,
    target TEXT,
    arguments TEXT,
    decision TEXT,
    rule TEXT,
    duration_ms REAL,
    request_bytes INTEGER,
    response_bytes INTEGER,
    error TEXT,
    error_detail TEXT,
    protocol_version TEXT,
    session_id TEXT,
    detail TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  CREATE INDEX audit_ts ON audit (ts);
  CREATE INDEX audit_client ON audit (client, id);
  CREATE INDEX audit_server_target ON audit (server, target, id);
  CREATE INDEX audit_outcome ON audit (outcome, id);
  CREATE INDEX audit_method ON audit (method, id);
  -- Free text over what was asked: the target and the (masked) arguments. Filled behind the writer, not in its
  -- transaction (audit-text-index.ts): indexing costs as much as writing the record, and a call waits for its record.
  CREATE VIRTUAL TABLE audit_text USING fts5(target, arguments, content='audit', content_rowid='id', prefix='2 3');
  -- What retention leaves behind: the hash the first remaining record must link to.
  CREATE TABLE audit_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

interface V1Row {
  id: number;
  ts: number;
  kind: string;
  outcome: string;
  client: string | null;
  server: string | null;
  tool: string | null;
  duration_ms: number | null;
  error: string | null;
  protocol_version: string | null;
  session_id: string | null;
  detail: string | null;
}

/** Version 2: the chained `audit` table; version-1 `events` rows are carried over, in order, and chained. */
function toV2(db: Db): void {
  db.exec(AUDIT_TABLE);
  const insert = db.prepare(`INSERT INTO audit VALUES (@id, @ts, @kind, @method, @outcome, @client, @server, @target,
    @arguments, @decision, @rule, @durationMs, @requestBytes, @responseBytes, @error, @errorDetail, @protocolVersion,
    @sessionId, @detail, @prevHash, @hash)`);
  let prevHash = GENESIS_HASH;
  // Read whole before writing: one connection cannot insert while a statement of it is still iterating.
  for (const row of db.prepare('SELECT * FROM events ORDER BY id').all() as V1Row[]) {
    const toolCall = row.kind === 'tool-call';
    const fields = {
      id: row.id,
      ts: row.ts,
      kind: (toolCall ? 'request' : row.kind) as never,
      method: toolCall ? 'tools/call' : null,
      outcome: (row.outcome === 'error' ? 'protocol-error' : row.outcome) as never,
      client: row.client,
      server: row.server,
      target: row.tool,
      arguments: null,
      decision: null,
      rule: null,
      durationMs: row.duration_ms,
      requestBytes: null,
      responseBytes: null,
      error: row.error,
      errorDetail: null,
      protocolVersion: row.protocol_version,
      sessionId: row.session_id,
      detail: row.detail,
    };
    const hash = chainHash(prevHash, fields);
    insert.run({ ...fields, prevHash, hash });
    prevHash = hash;
  }
  db.exec('DROP TABLE events');
}

const MIGRATIONS: readonly { readonly version: number; readonly apply: (db: Db) => void }[] = [
  {
    version: 1,
    apply: (db) =>
      db.exec(`
        CREATE TABLE events (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          ts INTEGER NOT NULL,
          kind TEXT NOT NULL,
          outcome TEXT NOT NULL,
          client TEXT,
          server TEXT,
          tool TEXT,
          duration_ms REAL,
          error TEXT,
          protocol_version TEXT,
          session_id TEXT,
          detail TEXT
        );
        CREATE INDEX events_ts ON events (ts);
        CREATE INDEX events_server_tool ON events (server, tool, ts);
      `),
  },
  { version: 2, apply: toV2 },
  {
    version: 3,
    apply: (db) =>
      db.exec(`
        CREATE TABLE rollups (
          minute INTEGER NOT NULL,
          server TEXT NOT NULL,
          tool TEXT NOT NULL,
          method TEXT NOT NULL,
          calls INTEGER NOT NULL,
          errors INTEGER NOT NULL,
          p50_ms REAL,
          p95_ms REAL,
          p99_ms REAL,
          PRIMARY KEY (minute, server, tool, method)
        );
      `),
  },
  {
    // Whom a call was made for on a shared gateway; existing records keep null, which the chain does not hash.
    version: 4,
    apply: (db) =>
      db.exec(`
        ALTER TABLE audit ADD COLUMN member TEXT;
        CREATE INDEX audit_member ON audit (member, id);
      `),
  },
];

export const AUDIT_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export type OpenResult = { readonly ok: true; readonly db: Db } | { readonly ok: false; readonly error: string };

export function openAuditDb(path: string, options: { readonly readonly?: boolean } = {}): OpenResult {
  let db: Db;
  try {
    db = new Database(path, { readonly: options.readonly === true, fileMustExist: options.readonly === true });
  } catch (error) {
    return { ok: false, error: `cannot open audit database ${path}: ${(error as Error).message}` };
  }
  try {
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    // Another process (serve and the CLI) may be writing: wait for its transaction rather than fail.
    db.pragma('busy_timeout = 5000');
    if (options.readonly) return { ok: true, db };
    db.exec('CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
    const row = db.prepare('SELECT MAX(version) AS v FROM migrations').get() as { v: number | null };
    const current = row.v ?? 0;
    if (current > AUDIT_SCHEMA_VERSION) {
      db.close();
      return {
        ok: false,
        error: `audit database ${path} has schema version ${current}, newer than this Switchboard understands (${AUDIT_SCHEMA_VERSION}); upgrade Switchboard`,
      };
    }
    const record = db.prepare('INSERT INTO migrations (version, applied_at) VALUES (?, ?)');
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      db.transaction(() => {
        migration.apply(db);
        record.run(migration.version, Date.now());
      })();
    }
    return { ok: true, db };
  } catch (error) {
    db.close();
    return { ok: false, error: `audit database ${path} could not be prepared: ${(error as Error).message}` };
  }
}
