// The team server's other routes over a real PostgreSQL: publishing verified documents whose version grows, the
// feed with its ETag, the version history for admins, who a token belongs to, the dashboard's paths handed to its
// handler only for an admin, back-pressure, and a drain that refuses new work while the last request finishes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { IngestGate } from '../../../main/team-server/ingest-gate.ts';
import { TeamServer } from '../../../main/team-server/team-server.ts';
import { skipWithoutPostgres, startPostgres, type TestPostgres } from '../../helpers/postgres.ts';
import { makeTeamKey, signWith, teamDocument, unsigned } from '../../helpers/team-documents.ts';
import { TEAM, startTeamServer, type TeamFixture } from './team-server-fixture.ts';

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

async function reason(response: Response): Promise<[number, string]> {
  return [response.status, ((await response.json()) as { reason: string }).reason];
}

test('a published document is served with its ETag, and If-None-Match answers 304', { skip }, async (t) => {
  const f = await team(t);
  const before = await f.get('/policy', null);
  assert.equal(before.status, 404);
  assert.match(((await before.json()) as { error: string }).error, /no policy is published yet/);
  const jws = await signWith(f.key, teamDocument(TEAM, 1));
  const published = await f.post('/policy', jws, null, { 'content-type': 'application/jose' });
  assert.equal(published.status, 201);
  assert.deepEqual(await published.json(), { version: 1 });
  const feed = await f.get('/policy', null);
  assert.equal(feed.status, 200);
  assert.equal(feed.headers.get('content-type'), 'application/jose');
  assert.equal(await feed.text(), jws);
  const etag = feed.headers.get('etag')!;
  assert.match(etag, /^"[0-9a-f]{64}"$/);
  assert.equal((await f.get('/policy', null, { 'if-none-match': etag })).status, 304);
  const v2 = await signWith(f.key, teamDocument(TEAM, 2));
  assert.equal((await f.post('/policy', v2, null)).status, 201);
  const newer = await f.get('/policy', null, { 'if-none-match': etag });
  assert.equal(newer.status, 200);
  assert.equal(await newer.text(), v2);
});

test(
  'a document not above the newest version, of another team, or not signed by the team key is refused',
  { skip },
  async (t) => {
    const f = await team(t);
    assert.equal((await f.post('/policy', await signWith(f.key, teamDocument(TEAM, 5)), null)).status, 201);
    const same = await f.post('/policy', await signWith(f.key, teamDocument(TEAM, 5, { onExpiry: 'keep' })), null);
    assert.equal(same.status, 409);
    assert.match(
      ((await same.json()) as { error: string }).error,
      /version 5 is not above the newest published version 5/,
    );
    assert.deepEqual(await reason(await f.post('/policy', await signWith(f.key, teamDocument('other', 6)), null)), [
      400,
      'team',
    ]);
    const stranger = await makeTeamKey();
    assert.deepEqual(await reason(await f.post('/policy', await signWith(stranger, teamDocument(TEAM, 6)), null)), [
      400,
      'header',
    ]);
    assert.deepEqual(await reason(await f.post('/policy', unsigned(teamDocument(TEAM, 6)), null)), [400, 'header']);
    assert.deepEqual(await reason(await f.post('/policy', 'not a jws', null)), [400, 'malformed']);
    const { rows } = await f.pool.query<{ version: number }>('SELECT version FROM policy_versions');
    assert.deepEqual(rows, [{ version: 5 }]);
    assert.equal(await f.metric('switchboard_team_refusals_total', 'route="/policy",reason="version"'), 1);
  },
);

test('versions are listed for admins only; /members/me names the token’s member', { skip }, async (t) => {
  const f = await team(t);
  await f.post('/policy', await signWith(f.key, teamDocument(TEAM, 1)), null);
  const jws2 = await signWith(f.key, teamDocument(TEAM, 2, { issuedAt: '2026-01-01T00:00:00Z' }));
  await f.post('/policy', jws2, null);
  const list = (await (await f.get('/policy/versions')).json()) as { version: number; issuedAt: string | null }[];
  assert.deepEqual(
    list.map((v) => [v.version, v.issuedAt]),
    [
      [2, '2026-01-01T00:00:00.000Z'],
      [1, null],
    ],
  );
  assert.equal(await (await f.get('/policy/versions/2')).text(), jws2);
  assert.deepEqual(await reason(await f.get('/policy/versions/9')), [404, 'none']);
  assert.deepEqual(await reason(await f.get('/policy/versions', f.tokens.alice)), [403, 'admin']);
  assert.deepEqual(await reason(await f.get('/policy/versions', null)), [401, 'token']);
  assert.deepEqual(await reason(await f.get('/metrics', f.tokens.bob)), [403, 'admin']);
  assert.deepEqual(await (await f.get('/members/me', f.tokens.alice)).json(), { member: 'alice', admin: false });
  assert.deepEqual(await (await f.get('/members/me', f.tokens.admin)).json(), { member: 'root', admin: true });
  assert.deepEqual(await reason(await f.get('/members/me', `sbm_${'x'.repeat(43)}`)), [401, 'token']);
});

test(
  'the dashboard paths are 404 without a handler, and go to the handler for an admin (token or session cookie)',
  { skip },
  async (t) => {
    const f = await team(t);
    assert.deepEqual(await reason(await f.get('/api/team-audit')), [404, 'not-found']);
    const seen: string[] = [];
    const server = new TeamServer({
      pool: f.pool,
      key: { publicKey: f.key.publicKey, team: TEAM },
      host: '127.0.0.1',
      port: 0,
      teamApi: {
        async handle(_req, res, url, member) {
          seen.push(`${url.pathname} ${member.name} ${member.admin}`);
          res.writeHead(200).end('dashboard');
        },
      },
    });
    const url = await server.listen();
    t.after(() => server.stop().catch(() => undefined));
    const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
    assert.equal((await fetch(`${url}/api/x`, bearer(f.tokens.admin))).status, 200);
    assert.equal((await fetch(`${url}/api/x`, bearer(f.tokens.alice))).status, 403);
    assert.equal((await fetch(`${url}/`)).status, 401);
    const exchange = await fetch(`${url}/?token=${f.tokens.admin}`, { redirect: 'manual' });
    assert.equal(exchange.status, 303);
    assert.equal(exchange.headers.get('location'), '/');
    const cookie = exchange.headers.get('set-cookie')!.split(';')[0]!;
    assert.match(exchange.headers.get('set-cookie')!, /HttpOnly; SameSite=Strict/);
    assert.equal((await fetch(`${url}/assets/app.js`, { headers: { cookie } })).status, 200);
    assert.equal((await fetch(`${url}/?token=${f.tokens.bob}`, { redirect: 'manual' })).status, 401);
    assert.deepEqual(seen, ['/api/x root true', '/assets/app.js root true']);
  },
);

test('the ingest gate runs 4 at once, queues 16 and turns the next away at once', async () => {
  const gate = new IngestGate({ active: 4, waiting: 16 });
  const releases: (() => void)[] = [];
  const held = Array.from({ length: 20 }, () => gate.run(() => new Promise<void>((resolve) => releases.push(resolve))));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(gate.busy, { active: 4, waiting: 16 });
  assert.equal(await gate.run(async () => 'late'), null);
  while (releases.length > 0 || gate.busy.active > 0) {
    releases.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.equal((await Promise.all(held)).filter((r) => r !== null).length, 20);
  assert.deepEqual(await gate.run(async () => 'next'), { value: 'next' });
});

test(
  'a drain answers /readyz and new requests 503 with Retry-After while the request in flight finishes',
  { skip },
  async (t) => {
    const f = await team(t);
    assert.equal((await f.get('/readyz', null)).status, 200);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    // Its own pool: a drain ends the pool it was given.
    const pool = new pg.Pool({ connectionString: (f.pool.options as { connectionString: string }).connectionString });
    const server = new TeamServer({
      pool,
      key: { publicKey: f.key.publicKey, team: TEAM },
      host: '127.0.0.1',
      port: 0,
      teamApi: {
        async handle(_req, res) {
          entered();
          await held;
          res.writeHead(200).end('finished');
        },
      },
    });
    const url = await server.listen();
    const slow = fetch(`${url}/api/slow`, { headers: { authorization: `Bearer ${f.tokens.admin}` } });
    await inside;
    const stopped = server.stop();
    const ready = await fetch(`${url}/readyz`);
    assert.equal(ready.status, 503);
    assert.equal(ready.headers.get('retry-after'), '1');
    const ingest = await fetch(`${url}/audit/ingest`, { method: 'POST', body: '{}' });
    assert.deepEqual([ingest.status, ((await ingest.json()) as { reason: string }).reason], [503, 'draining']);
    assert.equal((await fetch(`${url}/healthz`)).status, 200, 'the process still runs');
    release();
    const answer = await slow;
    assert.equal(answer.status, 200);
    assert.equal(await answer.text(), 'finished');
    await stopped;
    assert.equal(await fetch(`${url}/healthz`).catch(() => 'closed'), 'closed');
    assert.equal(pool.ended, true);
  },
);
