// The team dashboard's door, called as the team server's router calls it: a real HTTP server whose handler is
// createTeamApi's, over a real PostgreSQL. Inputs are checked before any SQL runs, with errors naming the field;
// only admin members get in; the page carries the dashboard's security headers and the team mark.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import { RendererFiles } from '../../../main/dashboard/renderer-files.ts';
import { createTeamApi, servesTeamDashboard, type TeamMember } from '../../../main/team-server/team-api.ts';
import { openTeamDb } from '../../../main/team-server/team-db.ts';
import { skipWithoutPostgres, startPostgres, type TestPostgres } from '../../helpers/postgres.ts';
import { seedTeam } from '../../helpers/team-seed.ts';

const skip = skipWithoutPostgres();
let postgres: TestPostgres;
let pool: pg.Pool;
let http: Server;
let base: string;
let dir: string;

/** Who the test's router says is calling, from the `x-test-member` header (the real router reads a token). */
function memberOf(header: string | string[] | undefined): TeamMember {
  return header === 'bob' ? { name: 'bob', admin: false } : { name: 'alice', admin: true };
}

before(async () => {
  if (skip !== false) return;
  dir = await mkdtemp(join(tmpdir(), 'switchboard-team-api-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><html><head><title>x</title></head><body></body></html>');
  await writeFile(join(dir, 'assets', 'app-1234.js'), 'console.log(1)');
  postgres = await startPostgres();
  const opened = await openTeamDb(postgres.url);
  if (!opened.ok) throw new Error(opened.error);
  pool = opened.pool;
  await seedTeam(
    pool,
    Array.from({ length: 5 }, (_, i) => ({
      id: i + 1,
      ts: 1_790_000_000_000 + i,
      member: 'alice',
      install: 'a1',
      server: 'github',
      target: 'create_issue',
      arguments: `{"title":"issue ${i}"}`,
    })),
  );
  const team = createTeamApi({ pool, files: new RendererFiles(dir), now: () => 1_790_000_100_000 });
  http = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!servesTeamDashboard(url.pathname)) return void res.writeHead(404).end();
    void team.handle(req, res, url, memberOf(req.headers['x-test-member']));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});

after(async () => {
  http?.close();
  await pool?.end();
  await postgres?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function call(method: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-switchboard-request': '1', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

test('teamAudit answers a page, and its cursor the next', { skip }, async () => {
  const first = await call('teamAudit', { member: 'alice', tool: 'create_issue', limit: 3 });
  assert.equal(first.status, 200);
  const value = first.body['value'] as { records: { localId: number }[]; next: string };
  assert.deepEqual(
    value.records.map((r) => r.localId),
    [5, 4, 3],
  );
  const second = await call('teamAudit', { member: 'alice', limit: 3, cursor: value.next });
  assert.deepEqual(
    (second.body['value'] as { records: { localId: number }[]; next: null }).records.map((r) => r.localId),
    [2, 1],
  );
  const text = await call('teamAudit', { text: 'issue 3' });
  assert.deepEqual(
    (text.body['value'] as { records: { localId: number }[] }).records.map((r) => r.localId),
    [4],
  );
});

test('teamActivity and teamPolicy answer; activity runs to now when no end is given', { skip }, async () => {
  const activity = await call('teamActivity', { since: 1_790_000_000_000 });
  assert.equal(activity.status, 200);
  assert.deepEqual(activity.body['value'], {
    since: 1_790_000_000_000,
    until: 1_790_000_100_000,
    members: [{ member: 'alice', calls: 5, errors: 0, lastSeen: 1_790_000_000_004 }],
    servers: [{ server: 'github', calls: 5, errors: 0, lastSeen: 1_790_000_000_004 }],
  });
  const policy = await call('teamPolicy', {});
  assert.equal(policy.status, 200);
  assert.deepEqual((policy.body['value'] as { versions: unknown[] }).versions, []);
});

test('bad inputs are refused with 400, naming the call and each field', { skip }, async () => {
  const bad = await call('teamAudit', { outcome: 'fine', limit: 0, colour: 'red' });
  assert.equal(bad.status, 400);
  assert.match(String(bad.body['error']), /^teamAudit: /);
  assert.match(String(bad.body['error']), /outcome: must be one of ok, tool-error/);
  assert.match(String(bad.body['error']), /limit: /);
  assert.match(String(bad.body['error']), /colour/);
  const range = await call('teamActivity', { since: 10, until: 5 });
  assert.equal(range.status, 400);
  assert.equal(range.body['error'], 'teamActivity: until: until must not be before since');
  const cursor = await call('teamAudit', { cursor: 'bm9wZQ' });
  assert.equal(cursor.status, 400);
  assert.match(String(cursor.body['error']), /not a cursor this server gave/);
  const json = await call('teamAudit', '{"member":');
  assert.equal(json.status, 400);
  assert.match(String(json.body['error']), /teamAudit: the body is not JSON/);
  const big = await call('teamAudit', JSON.stringify({ text: 'x'.repeat(70_000) }));
  assert.equal(big.status, 413);
});

test('unknown calls, other verbs, a missing CSRF header and non-admins are refused', { skip }, async () => {
  const unknown = await call('status', {});
  assert.equal(unknown.status, 404);
  assert.match(String(unknown.body['error']), /no team dashboard call named "status"/);
  const get = await fetch(`${base}/api/teamPolicy`);
  assert.equal(get.status, 405);
  const csrf = await fetch(`${base}/api/teamPolicy`, { method: 'POST', body: '{}' });
  assert.equal(csrf.status, 403);
  assert.match(((await csrf.json()) as { error: string }).error, /x-switchboard-request/);
  const bob = await call('teamPolicy', {}, { 'x-test-member': 'bob' });
  assert.equal(bob.status, 403);
  assert.match(String(bob.body['error']), /admin members, and bob is not one/);
  const page = await fetch(`${base}/`, { headers: { 'x-test-member': 'bob' } });
  assert.equal(page.status, 403);
});

test(
  'the page carries the team mark and the security headers; assets are served from the built list only',
  { skip },
  async () => {
    const page = await fetch(`${base}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'; script-src 'self'/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.equal(page.headers.get('cache-control'), 'no-store');
    const html = await page.text();
    assert.equal(
      html,
      '<!doctype html><html><head><meta name="switchboard-mode" content="team"><title>x</title></head><body></body></html>',
    );
    assert.equal(Number(page.headers.get('content-length')), Buffer.byteLength(html));
    const asset = await fetch(`${base}/assets/app-1234.js`);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
    assert.equal((await fetch(`${base}/assets/missing.js`)).status, 404);
  },
);
