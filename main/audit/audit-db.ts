// The audit database: a SQLite file with numbered migrations. A database written by a newer Switchboard is refused
// rather than half-understood.
import Database from 'better-sqlite3';

type Db = Database.Database;

const MIGRATIONS: readonly { readonly version: number; readonly sql: string }[] = [
  {
    version: 1,
    sql: `
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
    `,
  },
];

export const AUDIT_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export type OpenResult = { readonly ok: true; readonly db: Db } | { readonly ok: false; readonly error: string };

export function openAuditDb(path: string): OpenResult {
  let db: Db;
  try {
    db = new Database(path);
  } catch (error) {
    return { ok: false, error: `cannot open audit database ${path}: ${(error as Error).message}` };
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
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
      db.exec(migration.sql);
      record.run(migration.version, Date.now());
    })();
  }
  return { ok: true, db };
}
