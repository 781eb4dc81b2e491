// The team database's migrations against a real PostgreSQL: applied once even when two processes start together,
// and a database from a newer Switchboard refused with a message that says so.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { maskDatabaseUrl, migrate, openTeamDb } from '../../../main/team-server/team-db.ts';
import { TEAM_SCHEMA_VERSION } from '../../../main/team-server/team-schema.ts';
import { skipWithoutPostgres, startPostgres, type TestPostgres } from '../../helpers/postgres.ts';

const skip = skipWithoutPostgres();
let server: TestPostgres;
before(async () => {
  if (skip === false) server = await startPostgres();
});
after(() => server?.stop());

test('two processes migrating together apply each migration once', { skip }, async () => {
  const url = await server.createDatabase('migrate_twice');
  const [a, b] = await Promise.all([openTeamDb(url), openTeamDb(url)]);
  assert.ok(a.ok && b.ok, [a, b].map((r) => (r.ok ? 'ok' : r.error)).join('; '));
  const { rows } = await a.pool.query<{ version: number }>('SELECT version FROM migrations ORDER BY version');
  assert.deepEqual(
    rows.map((r) => r.version),
    Array.from({ length: TEAM_SCHEMA_VERSION }, (_, i) => i + 1),
  );
  assert.deepEqual(await migrate(a.pool), { from: TEAM_SCHEMA_VERSION, to: TEAM_SCHEMA_VERSION });
  await Promise.all([a.pool.end(), b.pool.end()]);
});

test('a database migrated by a newer Switchboard is refused', { skip }, async () => {
  const url = await server.createDatabase('newer_schema');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(
    'CREATE TABLE migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
  );
  await client.query('INSERT INTO migrations (version) VALUES ($1)', [TEAM_SCHEMA_VERSION + 1]);
  await client.end();
  const opened = await openTeamDb(url);
  assert.equal(opened.ok, false);
  assert.match(!opened.ok ? opened.error : '', /newer than this Switchboard understands/);
});

test('an unreachable database is named with its password masked', { skip }, async () => {
  const opened = await openTeamDb('postgres://user:hunter2@127.0.0.1:1/nothing');
  assert.equal(opened.ok, false);
  const error = !opened.ok ? opened.error : '';
  assert.doesNotMatch(error, /hunter2/);
  assert.match(error, /127\.0\.0\.1:1/);
  assert.equal(maskDatabaseUrl('postgres://u:secret@h/db'), 'postgres://u:***@h/db');
});
