// One filter translation for both databases: the same records seeded into the desktop's SQLite and the team
// server's PostgreSQL give the same pages for every filter, through the desktop's queryAudit (FTS5 and id walks)
// and the team's queryTeamAudit (full text and (ts, seq) cursors) alike.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { openAuditDb } from '../../../main/audit/audit-db.ts';
import { queryAudit, type AuditQuery } from '../../../main/audit/audit-query.ts';
import { catchUp } from '../../../main/audit/audit-text-index.ts';
import { filterClauses, NamedParams, NumberedParams } from '../../../main/audit/audit-where.ts';
import { openTeamDb } from '../../../main/team-server/team-db.ts';
import { queryTeamAudit } from '../../../main/team-server/team-query.ts';
import { skipWithoutPostgres, startPostgres, type TestPostgres } from '../../helpers/postgres.ts';
import { fullRecord, seedTeam, type SeedRecord } from '../../helpers/team-seed.ts';

const CLIENTS = ['cursor', 'vscode', 'ci-bot', null];
const SERVERS = ['fs', 'github', 'memory', null];
const TARGETS = ['read_file', 'write_file', 'search', 'create_issue'];
const OUTCOMES = ['ok', 'ok', 'ok', 'tool-error', 'timeout', 'denied'];
const KINDS = ['request', 'request', 'request', 'auth', 'lifecycle'];
const START = 1_790_000_000_000;

const RECORDS: SeedRecord[] = Array.from({ length: 600 }, (_, i) => {
  const id = i + 1;
  return {
    id,
    // Several records share a millisecond, as a busy gateway's do: the order must still be the same.
    ts: START + Math.floor(id / 3) * 1000,
    member: 'alice',
    install: 'install-a',
    kind: KINDS[id % KINDS.length]!,
    method: id % 5 === 4 ? 'started' : 'tools/call',
    outcome: OUTCOMES[id % OUTCOMES.length]!,
    client: CLIENTS[id % CLIENTS.length]!,
    server: SERVERS[(id * 7) % SERVERS.length]!,
    target: TARGETS[Math.floor(id / 4) % TARGETS.length]!,
    arguments: JSON.stringify({
      path: `/srv/project-${id % 40}/file-${id}.txt`,
      query: id % 97 === 0 ? 'needle-rare Über' : 'hay stack',
    }),
    durationMs: id % 50,
    error: id % 6 === 3 ? 'boom' : null,
  };
});

const CASES: [string, AuditQuery][] = [
  ['no filter', {}],
  ['kind', { kind: 'auth' }],
  ['method', { method: 'started' }],
  ['client', { client: 'vscode' }],
  ['server + tool', { server: 'github', target: 'search' }],
  ['outcome', { outcome: 'timeout' }],
  ['time range', { since: START + 50_000, until: START + 120_000 }],
  ['since only', { since: START + 150_000 }],
  ['until only', { until: START + 20_000 }],
  ['text, common word', { text: 'hay' }],
  ['text, prefix', { text: 'stac' }],
  ['text, rare word with a hyphen', { text: 'needle-rare' }],
  ['text, two words', { text: 'project-1 hay' }],
  ['text, path part', { text: 'file-42' }],
  ['text in the target', { text: 'create_iss' }],
  ['text + client + outcome', { text: 'project-3', client: 'cursor', outcome: 'ok' }],
  ['text + time range', { text: 'hay', since: START + 10_000, until: START + 90_000 }],
  ['nothing matches', { client: 'nobody' }],
];

const skip = skipWithoutPostgres();
let server: TestPostgres;
let pool: pg.Pool;
let sqlite: Database.Database;
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchboard-where-'));
  const opened = openAuditDb(join(dir, 'audit.db'));
  if (!opened.ok) throw new Error(opened.error);
  sqlite = opened.db;
  const insert = sqlite.prepare(`INSERT INTO audit (id, ts, kind, method, outcome, client, server, target, arguments,
    duration_ms, error, prev_hash, hash) VALUES (@id, @ts, @kind, @method, @outcome, @client, @server, @target,
    @arguments, @durationMs, @error, 'p', 'h')`);
  sqlite.transaction(() => {
    for (const r of RECORDS) {
      const { member: _member, install: _install, ...row } = fullRecord(r);
      insert.run(row);
    }
  })();
  catchUp(sqlite);
  if (skip !== false) return;
  server = await startPostgres();
  const opened2 = await openTeamDb(server.url);
  if (!opened2.ok) throw new Error(opened2.error);
  pool = opened2.pool;
  await seedTeam(pool, RECORDS);
});

after(async () => {
  sqlite?.close();
  await pool?.end();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Every matching id, newest first, read a page of `size` at a time through each side's cursor. */
function desktopIds(query: AuditQuery, size: number): number[] {
  const ids: number[] = [];
  let before: number | undefined;
  for (;;) {
    const page = queryAudit(sqlite, { ...query, limit: size, ...(before === undefined ? {} : { before }) });
    ids.push(...page.events.map((e) => e.id));
    if (page.next === null) return ids;
    before = page.next;
  }
}

async function teamIds(query: AuditQuery, size: number): Promise<number[]> {
  const ids: number[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await queryTeamAudit(pool, { ...query, limit: size, ...(cursor === undefined ? {} : { cursor }) });
    assert.ok(page.ok, page.ok ? '' : page.error);
    ids.push(...page.value.records.map((r) => r.localId));
    if (page.value.next === null) return ids;
    cursor = page.value.next;
  }
}

test('the translation differs only in its placeholders', () => {
  const filter = { client: 'vscode', server: 'fs', since: 5, until: 9 };
  const named = new NamedParams();
  const numbered = new NumberedParams();
  assert.deepEqual(filterClauses(filter, named, 'a.'), [
    'a.client = @client',
    'a.server = @server',
    'a.ts >= @since',
    'a.ts <= @until',
  ]);
  assert.deepEqual(named.values, { client: 'vscode', server: 'fs', since: 5, until: 9 });
  assert.deepEqual(filterClauses(filter, numbered), ['client = $1', 'server = $2', 'ts >= $3', 'ts <= $4']);
  assert.deepEqual(numbered.values, ['vscode', 'fs', 5, 9]);
});

test('SQLite and PostgreSQL give the same pages for every filter', { skip }, async () => {
  for (const [name, query] of CASES) {
    const expected = RECORDS.filter((r) => matches(fullRecord(r), query))
      .map((r) => r.id)
      .reverse();
    const desktop = desktopIds(query, 1000);
    const team = await teamIds(query, 1000);
    assert.deepEqual(desktop, team, `${name}: the two databases disagree`);
    if (query.text === undefined) assert.deepEqual(desktop, expected, `${name}: not the records the filter names`);
    if (name !== 'nothing matches') assert.ok(desktop.length > 0, `${name}: matched nothing, so it proves nothing`);
  }
});

test('paged through their cursors, both walk the same records in the same order', { skip }, async () => {
  for (const [name, query] of CASES.filter(([, q]) => q.text === undefined || q.text === 'hay')) {
    assert.deepEqual(await teamIds(query, 7), desktopIds(query, 7), name);
    assert.deepEqual(await teamIds(query, 7), desktopIds(query, 1000), `${name}: pages of 7 lose or repeat records`);
  }
});

/** The filter as plain code, to check the SQL of both sides against. */
function matches(r: ReturnType<typeof fullRecord>, q: AuditQuery): boolean {
  for (const key of ['kind', 'method', 'client', 'server', 'target', 'outcome'] as const) {
    if (q[key] !== undefined && r[key] !== q[key]) return false;
  }
  if (q.since !== undefined && r.ts < q.since) return false;
  if (q.until !== undefined && r.ts > q.until) return false;
  return true;
}
