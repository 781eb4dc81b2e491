// Audit ingest on a real team server over a real PostgreSQL: batches are stored once by uid, every malformed or
// forged batch is refused whole with a JSON {error, reason} naming what is wrong, nothing of it is written, and
// each refusal is counted by its reason in /metrics.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { nextRecords, newChain, batchOf } from '../../helpers/chained-records.ts';
import { skipWithoutPostgres, startPostgres, type TestPostgres } from '../../helpers/postgres.ts';
import { startTeamServer, type TeamFixture } from './team-server-fixture.ts';

const skip = skipWithoutPostgres();
let postgres: TestPostgres;
before(async () => {
  if (skip === false) postgres = await startPostgres();
});
after(() => postgres?.stop());

async function team(t: { after(fn: () => Promise<void>): void }): Promise<TeamFixture> {
  const fixture = await startTeamServer(postgres);
  t.after(() => fixture.close());
  return fixture;
}

async function rows(f: TeamFixture, installId: string): Promise<{ uid: string; member: string; local_id: string }[]> {
  const { rows } = await f.pool.query<{ uid: string; member: string; local_id: string }>(
    'SELECT uid, member, local_id FROM audit WHERE install_id = $1 ORDER BY local_id',
    [installId],
  );
  return rows;
}

async function refused(response: Response, status: number, reason: string, message: RegExp): Promise<void> {
  const body = (await response.json()) as { error: string; reason: string };
  assert.equal(response.status, status, JSON.stringify(body));
  assert.equal(body.reason, reason);
  assert.match(body.error, message);
}

test(
  'a batch is stored once; the same batch again is 200 with every record a duplicate and nothing written twice',
  { skip },
  async (t) => {
    const f = await team(t);
    const chain = newChain();
    const records = nextRecords(chain, 20);
    const first = await f.post('/audit/ingest', batchOf(chain, records));
    assert.equal(first.status, 200);
    assert.deepEqual(await first.json(), { stored: 20, duplicates: 0 });
    const again = await f.post('/audit/ingest', batchOf(chain, records));
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), { stored: 0, duplicates: 20 });
    // Sent again with more after it, as a sender does after a lost answer.
    const more = await f.post('/audit/ingest', batchOf(chain, [...records.slice(10), ...nextRecords(chain, 5)]));
    assert.deepEqual(await more.json(), { stored: 5, duplicates: 10 });
    const held = await rows(f, chain.installId);
    assert.deepEqual(
      held.map((r) => Number(r.local_id)),
      Array.from({ length: 25 }, (_, i) => i + 1),
    );
    assert.ok(
      held.every((r) => r.member === 'alice'),
      'records are the uploading member’s',
    );
    const { rows: installs } = await f.pool.query(
      'SELECT last_local_id, last_hash, policy_version, breaks FROM installs',
    );
    assert.deepEqual(installs, [{ last_local_id: '25', last_hash: chain.lastHash, policy_version: 3, breaks: 0 }]);
    assert.equal(await f.metric('switchboard_team_ingest_requests_total', 'result="stored"'), 2);
    assert.equal(await f.metric('switchboard_team_ingest_requests_total', 'result="duplicates"'), 1);
    assert.equal(await f.metric('switchboard_team_ingest_records_total', 'result="stored"'), 25);
  },
);

test('a forged, missing or revoked member token is refused with 401 and nothing is stored', { skip }, async (t) => {
  const f = await team(t);
  const chain = newChain();
  const body = batchOf(chain, nextRecords(chain, 3));
  await refused(
    await f.post('/audit/ingest', body, `sbm_${'A'.repeat(43)}`),
    401,
    'token',
    /missing, unknown or revoked/,
  );
  await refused(await f.post('/audit/ingest', body, null), 401, 'token', /member token/);
  await f.pool.query("UPDATE members SET revoked_at = now() WHERE name = 'alice'");
  await refused(await f.post('/audit/ingest', body, f.tokens.alice), 401, 'token', /revoked/);
  assert.equal((await rows(f, chain.installId)).length, 0);
  assert.equal(await f.metric('switchboard_team_ingest_requests_total', 'result="token"'), 3);
});

test(
  'a batch with a changed record or a broken link is refused whole, naming the record; nothing is written',
  { skip },
  async (t) => {
    const f = await team(t);
    const chain = newChain();
    const records = nextRecords(chain, 10);
    const edited = records.map((r) => (r.id === 6 ? { ...r, target: 'delete_repo' } : r));
    await refused(
      await f.post('/audit/ingest', batchOf(chain, edited)),
      400,
      'chain',
      /record 6's hash does not match/,
    );
    const unlinked = [...records.slice(0, 4), ...nextRecords(newChain(chain.installId), 6, { sessionId: 'other' })];
    // Ids 1-4 of one chain and 1-6 of another: out of order.
    await refused(
      await f.post('/audit/ingest', batchOf(chain, unlinked)),
      400,
      'order',
      /record 1 comes after record 4/,
    );
    const other = newChain(chain.installId);
    const foreign = nextRecords(other, 10, { sessionId: 'other' }).slice(4); // ids 5..10 of a different chain
    await refused(
      await f.post('/audit/ingest', batchOf(chain, [...records.slice(0, 4), ...foreign])),
      400,
      'chain',
      /record 5 does not link to record 4/,
    );
    assert.equal((await rows(f, chain.installId)).length, 0);
    assert.equal(await f.metric('switchboard_team_ingest_requests_total', 'result="chain"'), 2);
    assert.equal(await f.metric('switchboard_team_ingest_requests_total', 'result="order"'), 1);
  },
);

test('a record edited after it was sent does not link to what was received: 409 chain', { skip }, async (t) => {
  const f = await team(t);
  const chain = newChain();
  assert.equal((await f.post('/audit/ingest', batchOf(chain, nextRecords(chain, 5)))).status, 200);
  // The desktop's log was rewritten from record 5 on: record 6 links to a record 5 the server never saw.
  const rewritten = newChain(chain.installId);
  nextRecords(rewritten, 4, { sessionId: 'rewritten' });
  const forked = nextRecords(rewritten, 3, { target: 'rewritten' }).slice(1);
  await refused(
    await f.post('/audit/ingest', batchOf(chain, forked)),
    409,
    'chain',
    /record 6 does not link to record 5 as received before/,
  );
  assert.equal((await rows(f, chain.installId)).length, 5);
});

test(
  'a uid that does not name its record, an oversized batch, bad JSON and an unknown schemaVersion are refused',
  { skip },
  async (t) => {
    const f = await team(t);
    const chain = newChain();
    const records = nextRecords(chain, 2);
    const wrongUid = [{ ...records[0]!, uid: 'someone-else:1:abc' }, records[1]!];
    await refused(
      await f.post('/audit/ingest', batchOf(chain, wrongUid)),
      400,
      'uid',
      /record 1 has uid "someone-else:1:abc"/,
    );
    const huge = 'x'.repeat(4 * 1024 * 1024 + 1);
    await refused(await f.post('/audit/ingest', huge), 413, 'oversized', /4194305 bytes, over 4194304/);
    await refused(
      await f.post('/audit/ingest', '{"schemaVersion": 1, "records": ['),
      400,
      'malformed',
      /not UTF-8 JSON/,
    );
    const v2 = batchOf(chain, records).replace('"schemaVersion":1', '"schemaVersion":2');
    await refused(
      await f.post('/audit/ingest', v2),
      400,
      'schema-version',
      /schemaVersion 2 is not one this server reads/,
    );
    const noOutcome = batchOf(chain, [{ ...records[0]!, outcome: 'fine' as 'ok' }]);
    await refused(await f.post('/audit/ingest', noOutcome), 400, 'schema', /records\[0\]\.outcome/);
    const extra = batchOf(chain, [{ ...records[0]!, injected: 1 } as (typeof records)[0]]);
    await refused(await f.post('/audit/ingest', extra), 400, 'schema', /injected/);
    assert.equal((await rows(f, chain.installId)).length, 0);
    for (const reason of ['uid', 'oversized', 'malformed', 'schema-version']) {
      assert.equal(await f.metric('switchboard_team_ingest_requests_total', `result="${reason}"`), 1, reason);
    }
    assert.equal(await f.metric('switchboard_team_ingest_requests_total', 'result="schema"'), 2);
  },
);

test("another member's install id is refused with 403; its records stay the first member's", { skip }, async (t) => {
  const f = await team(t);
  const chain = newChain();
  assert.equal((await f.post('/audit/ingest', batchOf(chain, nextRecords(chain, 3)), f.tokens.alice)).status, 200);
  const response = await f.post('/audit/ingest', batchOf(chain, nextRecords(chain, 3)), f.tokens.bob);
  await refused(
    response,
    403,
    'install-owner',
    new RegExp(`install ${chain.installId} sends its records with another member's token`),
  );
  assert.deepEqual(
    (await rows(f, chain.installId)).map((r) => r.member),
    ['alice', 'alice', 'alice'],
  );
  assert.equal(await f.metric('switchboard_team_ingest_requests_total', 'result="install-owner"'), 1);
});

test(
  'a gap and a log started afresh are stored and kept as chain breaks; a shared gateway’s member is kept',
  { skip },
  async (t) => {
    const f = await team(t);
    const chain = newChain();
    assert.equal((await f.post('/audit/ingest', batchOf(chain, nextRecords(chain, 3)))).status, 200);
    nextRecords(chain, 4); // 4..7 removed by retention before they were sent
    const after = nextRecords(chain, 2, { member: 'carol' } as object);
    assert.deepEqual(await (await f.post('/audit/ingest', batchOf(chain, after))).json(), { stored: 2, duplicates: 0 });
    const fresh = newChain(chain.installId);
    assert.deepEqual(
      await (await f.post('/audit/ingest', batchOf(fresh, nextRecords(fresh, 2, { sessionId: 'afresh' })))).json(),
      {
        stored: 2,
        duplicates: 0,
      },
    );
    const { rows: breaks } = await f.pool.query<{ local_id: string; kind: string }>(
      'SELECT local_id, kind FROM chain_breaks ORDER BY id',
    );
    assert.deepEqual(
      breaks.map((b) => [Number(b.local_id), b.kind]),
      [
        [8, 'gap'],
        [1, 'restart'],
      ],
    );
    const held = await rows(f, chain.installId);
    assert.equal(held.length, 7);
    assert.deepEqual(
      held.filter((r) => r.member === 'carol').map((r) => Number(r.local_id)),
      [8, 9],
    );
    const { rows: installs } = await f.pool.query('SELECT last_local_id, breaks FROM installs');
    assert.deepEqual(installs, [{ last_local_id: '2', breaks: 2 }]);
  },
);

test(
  'a sender past the gate is told 429 busy with Retry-After, and the batch in progress still lands',
  { skip },
  async (t) => {
    const f = await startTeamServer(postgres, { limits: { active: 1, waiting: 0 } });
    t.after(() => f.close());
    // Holds the installs table, so the first batch waits inside its turn until the lock goes.
    const holder = await f.pool.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE installs IN ACCESS EXCLUSIVE MODE');
    const first = newChain();
    const slow = f.post('/audit/ingest', batchOf(first, nextRecords(first, 5)));
    while (f.server.ingestBusy.active === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const second = newChain();
    const turnedAway = await f.post('/audit/ingest', batchOf(second, nextRecords(second, 5)));
    assert.equal(turnedAway.headers.get('retry-after'), '1');
    await refused(turnedAway, 429, 'busy', /Retry-After/);
    await holder.query('COMMIT');
    holder.release();
    const landed = await slow;
    assert.equal(landed.status, 200);
    assert.deepEqual(await landed.json(), { stored: 5, duplicates: 0 });
    assert.deepEqual(await rows(f, second.installId), [], 'nothing of the refused batch is written');
    assert.equal(await f.metric('switchboard_team_ingest_requests_total', 'result="busy"'), 1);
  },
);
