// Opening the team server's PostgreSQL: a pool, and the schema brought to this version's migrations. Migrations
// run under an advisory lock, so several team-server processes starting together apply each one once.
import pg from 'pg';
import { TEAM_MIGRATIONS, TEAM_SCHEMA_VERSION } from './team-schema.ts';

/** Any number: it only has to be the same for every team-server process of one database. */
const MIGRATION_LOCK = 0x5357_4244;

export type TeamDbResult =
  { readonly ok: true; readonly pool: pg.Pool } | { readonly ok: false; readonly error: string };

/** A connection string with its password replaced, for messages and logs. */
export function maskDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(a connection string that is not a URL)';
  }
}

/** Applies the migrations this database lacks, in order, each in its own transaction. */
export async function migrate(pool: pg.Pool): Promise<{ readonly from: number; readonly to: number }> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const { rows } = await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM migrations');
    const from = rows[0]?.v ?? 0;
    if (from > TEAM_SCHEMA_VERSION) {
      throw new Error(
        `the team database has schema version ${from}, newer than this Switchboard understands (${TEAM_SCHEMA_VERSION}); upgrade Switchboard`,
      );
    }
    for (const migration of TEAM_MIGRATIONS) {
      if (migration.version <= from) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO migrations (version) VALUES ($1)', [migration.version]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`team database migration ${migration.version} failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
    return { from, to: TEAM_SCHEMA_VERSION };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}

/** Connects and migrates; an unreachable database or a failed migration is an error naming the (masked) URL. */
export async function openTeamDb(url: string, options: { readonly max?: number } = {}): Promise<TeamDbResult> {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, connectionTimeoutMillis: 10_000 });
  // An idle client that loses its connection (the database restarted) must not crash the process.
  pool.on('error', () => undefined);
  try {
    await migrate(pool);
    return { ok: true, pool };
  } catch (error) {
    await pool.end().catch(() => undefined);
    return { ok: false, error: `team database ${maskDatabaseUrl(url)}: ${(error as Error).message}` };
  }
}
