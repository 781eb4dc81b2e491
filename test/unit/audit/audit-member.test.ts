// The member on audit records (a shared gateway): stored, queried, exported and verified; hashed only when set, so
// records without one, and databases from before the column existed, verify exactly as they did.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { GENESIS_HASH, chainHash, chainHashOfJson, chainValues } from '../../../main/audit/audit-chain.ts';
import { openAuditDb } from '../../../main/audit/audit-db.ts';
import { exportAudit } from '../../../main/audit/audit-export.ts';
import { readHead } from '../../../main/audit/audit-head.ts';
import { replayJournal } from '../../../main/audit/audit-journal.ts';
import { AuditLog } from '../../../main/audit/audit-log.ts';
import { verifyAudit } from '../../../main/audit/audit-verify.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

async function paths(t: TestContext): Promise<{ db: string; head: string }> {
  const dir = await makeTempDir(t);
  return { db: join(dir, 'audit.db'), head: join(dir, 'audit.head.json') };
}

function open(p: { db: string; head: string }): AuditLog {
  const db = openAuditDb(p.db);
  assert.ok(db.ok, db.ok ? '' : db.error);
  return new AuditLog(db.db, { headPath: p.head });
}

function verify(p: { db: string; head: string }) {
  const raw = new Database(p.db, { readonly: true });
  try {
    return verifyAudit(raw, readHead(p.head));
  } finally {
    raw.close();
  }
}

async function exported(log: AuditLog, format: 'jsonl' | 'csv', member?: string): Promise<string> {
  log.flush();
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  await exportAudit(log.database, member === undefined ? {} : { member }, format, out);
  return Buffer.concat(chunks).toString('utf8');
}

const FIELDS = {
  id: 1,
  ts: 1_000,
  kind: 'request',
  method: 'tools/call',
  outcome: 'ok',
  client: 'cursor',
  server: 'fs',
  target: 'read_file',
  arguments: null,
  decision: null,
  rule: null,
  durationMs: null,
  requestBytes: null,
  responseBytes: null,
  error: null,
  errorDetail: null,
  protocolVersion: null,
  sessionId: null,
  detail: null,
} as const;

test('the chain hashes member only when it is set: a record without one hashes as before the field existed', () => {
  const before = chainHashOfJson(GENESIS_HASH, JSON.stringify(Object.values(FIELDS)));
  assert.equal(chainHash(GENESIS_HASH, FIELDS), before);
  assert.equal(chainHash(GENESIS_HASH, { ...FIELDS, member: null }), before);
  assert.equal(chainValues({ ...FIELDS, member: 'alice' }).length, chainValues(FIELDS).length + 1);
  assert.notEqual(chainHash(GENESIS_HASH, { ...FIELDS, member: 'alice' }), before);
  assert.notEqual(
    chainHash(GENESIS_HASH, { ...FIELDS, member: 'alice' }),
    chainHash(GENESIS_HASH, { ...FIELDS, member: 'bob' }),
  );
});

test('records carry their member; --member filters; export has it; the chain verifies and an edit breaks it', async (t) => {
  const p = await paths(t);
  const log = open(p);
  await log.record({ kind: 'request', method: 'tools/call', outcome: 'ok', client: 'cursor', member: 'alice' });
  await log.record({ kind: 'request', method: 'tools/call', outcome: 'ok', client: 'cursor', member: 'bob' });
  await log.record({ kind: 'request', method: 'tools/call', outcome: 'ok', client: 'cursor' });
  const all = log.query({}).events;
  assert.deepEqual(
    all.map((e) => e.member),
    [null, 'bob', 'alice'],
  );
  assert.deepEqual(
    log.query({ member: 'alice' }).events.map((e) => e.id),
    [1],
  );
  const jsonl = (await exported(log, 'jsonl', 'bob')).trim().split('\n');
  assert.equal(jsonl.length, 1);
  assert.equal((JSON.parse(jsonl[0]!) as { member: string }).member, 'bob');
  const csv = (await exported(log, 'csv')).trim().split('\r\n');
  assert.match(csv[0]!, /,hash,member$/);
  assert.match(csv[1]!, /,alice$/);
  assert.match(csv[3]!, /,$/, 'no member: an empty last column');
  log.close();
  assert.equal(verify(p).ok, true);

  const raw = new Database(p.db);
  raw.prepare("UPDATE audit SET member = 'mallory' WHERE id = 1").run();
  raw.close();
  const report = verify(p);
  assert.equal(report.ok, false);
  assert.equal(report.problem?.id, 1);
});

test('a database from before the member column is migrated and still verifies; new records continue its chain', async (t) => {
  const p = await paths(t);
  const log = open(p);
  await log.record({ kind: 'request', method: 'tools/call', outcome: 'ok', client: 'cursor', target: 'a' });
  await log.record({ kind: 'auth', outcome: 'unauthenticated', detail: { reason: 'missing' } });
  log.close();
  // Back to schema version 3, as a database written before the member existed is.
  const raw = new Database(p.db);
  raw.exec('DROP INDEX audit_member; ALTER TABLE audit DROP COLUMN member; DELETE FROM migrations WHERE version = 4');
  raw.close();
  assert.equal(verify(p).ok, true);

  const again = open(p);
  await again.record({ kind: 'request', method: 'tools/call', outcome: 'ok', client: 'cursor', member: 'alice' });
  assert.deepEqual(
    again.query({}).events.map((e) => [e.id, e.member]),
    [
      [3, 'alice'],
      [2, null],
      [1, null],
    ],
  );
  again.close();
  const report = verify(p);
  assert.equal(report.ok, true, report.problem?.message);
  assert.equal(report.checked, 3);
});

test('journal lines with a member, with and without their hashes, are taken in and linked', async (t) => {
  const p = await paths(t);
  const opened = openAuditDb(p.db);
  assert.ok(opened.ok);
  const db = opened.db;
  const first = [1, 1_000, 'request', 'tools/call', 'ok', 'cursor', 'fs', 'a', null, null, null, null, null, null];
  const rest = [null, null, null, null, null];
  const line1 = JSON.stringify([...first, ...rest, 'alice']);
  const hash1 = chainHashOfJson(GENESIS_HASH, line1);
  // A line that carries its hashes (one that links across a gap) keeps the member before them.
  const values2 = [2, ...first.slice(1), ...rest, 'bob'];
  const hash2 = chainHashOfJson(hash1, JSON.stringify(values2));
  const line2 = JSON.stringify([...values2, hash1, hash2]);
  const line3 = JSON.stringify([3, ...first.slice(1), ...rest]);
  const journal = join(p.db, '..', 'audit.journal');
  writeFileSync(journal, `${line1}\n${line2}\n${line3}\n#3\n`);
  assert.equal(replayJournal(db, journal), 3);
  const rows = db.prepare('SELECT id, member, hash FROM audit ORDER BY id').all() as {
    id: number;
    member: string | null;
    hash: string;
  }[];
  assert.deepEqual(
    rows.map((r) => [r.id, r.member]),
    [
      [1, 'alice'],
      [2, 'bob'],
      [3, null],
    ],
  );
  assert.equal(rows[0]!.hash, hash1);
  assert.equal(rows[1]!.hash, hash2);
  const report = verifyAudit(db, null);
  assert.equal(report.ok, true, report.problem?.message);
  db.close();
});
