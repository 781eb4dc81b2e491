// The private PostgreSQL the team server's tests and benchmarks run against: it starts, answers a query, survives
// being killed and restarted with what it committed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { skipWithoutPostgres, startPostgres } from '../../helpers/postgres.ts';

test(
  'a private PostgreSQL keeps committed rows across a kill -9 and restart',
  { skip: skipWithoutPostgres() },
  async (t) => {
    const server = await startPostgres();
    t.after(() => server.stop());
    const first = new pg.Client({ connectionString: server.url });
    await first.connect();
    await first.query('CREATE TABLE t (n integer PRIMARY KEY)');
    await first.query('INSERT INTO t VALUES (1), (2)');
    // Closed first: a backend still serving it would outlive the kill for a moment and hold the restart up.
    await first.end();
    process.kill(await server.pid(), 'SIGKILL');
    await server.restart();
    const second = new pg.Client({ connectionString: server.url });
    await second.connect();
    const { rows } = await second.query<{ n: number }>('SELECT n FROM t ORDER BY n');
    await second.end();
    assert.deepEqual(
      rows.map((r) => r.n),
      [1, 2],
    );
  },
);
