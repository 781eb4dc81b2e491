// The team dashboard's queries against a real PostgreSQL: every member's records filtered by member and install,
// newest first across installs with a cursor that neither loses nor repeats a record, free text through migration
// 2's index, activity per member and per server over a range, and which installs enforce which policy version.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import { openTeamDb } from '../../../main/team-server/team-db.ts';
import {
  decodeCursor,
  encodeCursor,
  queryTeamAudit,
  teamActivity,
  teamPolicyStatus,
  tsQuery,
  type TeamAuditQuery,
} from '../../../main/team-server/team-query.ts';
import { skipWithoutPostgres, startPostgres, type TestPostgres } from '../../helpers/postgres.ts';
import { seedTeam, type SeedRecord } from '../../helpers/team-seed.ts';

const T0 = 1_790_000_000_000;

/** alice on two machines, bob on one, interleaved in time: 30 records each. */
const RECORDS: SeedRecord[] = ['a1', 'a2', 'b1'].flatMap((install, n) =>
  Array.from({ length: 30 }, (_, i) => ({
    id: i + 1,
    ts: T0 + i * 3000 + n * 1000,
    member: install.startsWith('a') ? 'alice' : 'bob',
    install,
    server: i % 2 === 0 ? 'github' : 'fs',
    target: i % 2 === 0 ? 'create_issue' : 'read_file',
    outcome: i % 10 === 9 ? 'tool-error' : 'ok',
    kind: i === 0 ? 'session' : 'request',
    arguments: JSON.stringify({ note: `${install} call ${i}`, path: `/home/${install}/notes-${i}.md` }),
  })),
);

const skip = skipWithoutPostgres();
let server: TestPostgres;
let pool: pg.Pool;

before(async () => {
  if (skip !== false) return;
  server = await startPostgres();
  const opened = await openTeamDb(server.url);
  if (!opened.ok) throw new Error(opened.error);
  pool = opened.pool;
  await seedTeam(pool, RECORDS, { policyVersions: { a1: 3, b1: 2 } });
});

after(async () => {
  await pool?.end();
  await server?.stop();
});

async function page(query: TeamAuditQuery) {
  const answer = await queryTeamAudit(pool, query);
  assert.ok(answer.ok, answer.ok ? '' : answer.error);
  return answer.value;
}

async function walk(query: TeamAuditQuery, limit: number): Promise<string[]> {
  const uids: string[] = [];
  let cursor: string | undefined;
  do {
    const value = await page({ ...query, limit, ...(cursor === undefined ? {} : { cursor }) });
    uids.push(...value.records.map((r) => r.uid));
    cursor = value.next ?? undefined;
  } while (cursor !== undefined);
  return uids;
}

test('pages are newest first across every member, and a cursor walks them all once', { skip }, async () => {
  const first = await page({ limit: 4 });
  assert.deepEqual(
    first.records.map((r) => [r.member, r.install, r.localId]),
    [
      ['bob', 'b1', 30],
      ['alice', 'a2', 30],
      ['alice', 'a1', 30],
      ['bob', 'b1', 29],
    ],
  );
  assert.equal(first.records[0]!.ts, T0 + 29 * 3000 + 2000);
  const all = await walk({}, 7);
  assert.equal(all.length, 90);
  assert.equal(new Set(all).size, 90);
  assert.deepEqual(
    all,
    (await page({ limit: 1000 })).records.map((r) => r.uid),
  );
});

test('member and install filters, alone and with the others', { skip }, async () => {
  const alice = await walk({ member: 'alice' }, 11);
  assert.equal(alice.length, 60);
  assert.ok(alice.every((uid) => uid.startsWith('a1:') || uid.startsWith('a2:')));
  const a2errors = await page({ install: 'a2', outcome: 'tool-error' });
  assert.deepEqual(
    a2errors.records.map((r) => r.localId),
    [30, 20, 10],
  );
  const bobGithub = await page({ member: 'bob', server: 'github', target: 'create_issue', since: T0 + 30_000 });
  assert.ok(bobGithub.records.length > 0);
  assert.ok(bobGithub.records.every((r) => r.member === 'bob' && r.server === 'github' && r.ts >= T0 + 30_000));
  assert.deepEqual((await page({ member: 'carol' })).records, []);
});

test('free text matches words and prefixes of the arguments and target, every word required', { skip }, async () => {
  const notes = await page({ text: 'notes-1', member: 'bob' });
  // notes-1 and notes-10..19 (a prefix of the last part), bob's only.
  assert.deepEqual(
    notes.records.map((r) => r.localId),
    [20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 2],
  );
  assert.deepEqual(
    (await page({ text: 'a2 call', server: 'fs' })).records.every((r) => r.install === 'a2' && r.server === 'fs'),
    true,
  );
  assert.equal((await page({ text: 'create_iss b1' })).records.length, 15);
  assert.equal((await page({ text: 'zzz' })).records.length, 0);
  // Quotes, colons and operators are only separators: never tsquery syntax, never an error.
  assert.equal((await page({ text: "a1 ' & | ! :* (call" })).records.length, 30);
  assert.equal(tsQuery('  '), null);
  assert.equal(tsQuery('Foo-bar baz'), 'foo <-> bar:* & baz:*');
});

test('a cursor this server did not make is refused with what to do', { skip }, async () => {
  const answer = await queryTeamAudit(pool, { cursor: 'not-a-cursor' });
  assert.equal(answer.ok, false);
  assert.match(answer.ok ? '' : answer.error, /cursor: not a cursor this server gave; start from the first page/);
  assert.deepEqual(decodeCursor(encodeCursor(T0, '12345678901234567')), { ts: T0, seq: '12345678901234567' });
  assert.equal(decodeCursor(Buffer.from('1:2:3').toString('base64url')), null);
});

test('activity per member and per server over a range: calls, errors, last seen', { skip }, async () => {
  const whole = await teamActivity(pool, T0, T0 + 200_000);
  assert.deepEqual(whole.members, [
    { member: 'alice', calls: 58, errors: 6, lastSeen: T0 + 29 * 3000 + 1000 },
    { member: 'bob', calls: 29, errors: 3, lastSeen: T0 + 29 * 3000 + 2000 },
  ]);
  assert.deepEqual(
    whole.servers.map((s) => [s.server, s.calls, s.errors]),
    [
      ['fs', 45, 9],
      ['github', 42, 0],
    ],
  );
  const late = await teamActivity(pool, T0 + 60_000, T0 + 200_000);
  assert.deepEqual(
    late.members.map((m) => [m.member, m.calls]),
    [
      ['alice', 20],
      ['bob', 10],
    ],
  );
  assert.deepEqual((await teamActivity(pool, T0 + 500_000, T0 + 600_000)).members, []);
});

test(
  'policy: versions newest first with how many installs run each, and each install where it stands',
  { skip },
  async () => {
    for (const version of [1, 2, 3]) {
      await pool.query(
        `INSERT INTO policy_versions (version, jws, sha256, issued_at, expires_at) VALUES ($1, 'jws', $2, now(), now() + interval '30 days')`,
        [version, `sha-${version}`],
      );
    }
    await pool.query(
      "INSERT INTO chain_breaks (install_id, local_id, kind, detail) VALUES ('a2', 5, 'gap', 'records 3-4 never arrived')",
    );
    const status = await teamPolicyStatus(pool);
    assert.deepEqual(
      status.versions.map((v) => [v.version, v.sha256, v.installs]),
      [
        [3, 'sha-3', 1],
        [2, 'sha-2', 1],
        [1, 'sha-1', 0],
      ],
    );
    assert.match(status.versions[0]!.expiresAt, /^\d{4}-\d\d-\d\dT/);
    const byInstall = Object.fromEntries(status.installs.map((i) => [i.install, i]));
    assert.deepEqual(
      { ...byInstall['a1'], lastSeen: undefined },
      {
        install: 'a1',
        member: 'alice',
        host: 'host-a1',
        appVersion: '1.2.3',
        policyVersion: 3,
        lastSeen: undefined,
        chainBreaks: 0,
      },
    );
    assert.equal(byInstall['a2']!.chainBreaks, 1);
    assert.equal(byInstall['a2']!.policyVersion, null);
    assert.equal(byInstall['b1']!.policyVersion, 2);
  },
);
