// The audit trail on real SQLite files: records, queries and pages, the hash chain and what breaks it (T44, T79),
// retention that keeps the chain verifiable, and the migration that chains version-1 records.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { GENESIS_HASH, chainHashOfJson } from '../../../main/audit/audit-chain.ts';
import { AUDIT_SCHEMA_VERSION, openAuditDb } from '../../../main/audit/audit-db.ts';
import { readHead } from '../../../main/audit/audit-head.ts';
import { AuditLog, MAX_FIELD_CHARS } from '../../../main/audit/audit-log.ts';
import { pruneAudit } from '../../../main/audit/audit-retention.ts';
import { verifyAudit } from '../../../main/audit/audit-verify.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

async function paths(t: TestContext): Promise<{ db: string; head: string; journal: string }> {
  const dir = await makeTempDir(t);
  return {
    db: join(dir, 'audit.db'),
    head: join(dir, 'audit.head.json'),
    journal: join(dir, 'journal', 'audit.journal'),
  };
}

function open(p: { db: string; head: string }, redact?: (text: string) => string): AuditLog {
  const db = openAuditDb(p.db);
  assert.ok(db.ok, db.ok ? '' : db.error);
  return new AuditLog(db.db, { headPath: p.head, ...(redact === undefined ? {} : { redact }) });
}

function verify(p: { db: string; head: string }) {
  const raw = new Database(p.db, { readonly: true });
  try {
    return verifyAudit(raw, readHead(p.head));
  } finally {
    raw.close();
  }
}

async function fill(log: AuditLog, n: number): Promise<void> {
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      log.record({
        kind: 'request',
        method: 'tools/call',
        outcome: i % 5 === 0 ? 'tool-error' : 'ok',
        client: i % 2 === 0 ? 'cursor' : 'claude',
        server: 'fs',
        target: i % 3 === 0 ? 'read_file' : 'write_file',
        arguments: { path: `/home/me/notes-${i}.md` },
        ts: 1_000_000 + i,
      }),
    ),
  );
}

test('record resolves once in the journal; fields, arguments and sizes come back as written', async (t) => {
  const p = await paths(t);
  const log = open(p, (text) => text.replaceAll('hunter2', '[redacted]'));
  await log.record({
    kind: 'request',
    method: 'tools/call',
    outcome: 'protocol-error',
    client: 'cursor',
    server: 'fs',
    target: 'read_file',
    arguments: { path: '/etc/hosts', password: 'hunter2' },
    decision: 'allow',
    rule: 'default',
    durationMs: 12.5,
    requestBytes: 42,
    error: 'boom with hunter2',
    errorDetail: { code: -32603, message: 'boom', data: { stack: 'Error: boom\n    at x' } },
  });
  // On disk when record resolves, already masked: the journal line is the record's chained values, and the
  // writer thread hashes that very text when it links the record into the database.
  const journal = readFileSync(p.journal, 'utf8');
  assert.deepEqual(
    journal.split('\n').filter((line) => line.startsWith('#')),
    ['#1'],
    'one chunk of one record',
  );
  assert.match(journal, /"tools\/call","protocol-error","cursor","fs","read_file"/);
  assert.doesNotMatch(journal, /hunter2/);
  const line = journal.split('\n')[0]!;
  assert.equal((JSON.parse(line) as unknown[]).length, 19, 'no hashes on the event loop');
  const [event] = log.query().events;
  assert.equal(event!.hash, chainHashOfJson(GENESIS_HASH, line));
  assert.equal(JSON.stringify(JSON.parse(line)), line, 'the line is the JSON verify hashes again');
  assert.equal(event!.arguments, '{"path":"/etc/hosts","password":"[redacted]"}');
  assert.equal(event!.error, 'boom with [redacted]');
  assert.match(event!.errorDetail!, /"stack":"Error: boom\\n {4}at x"/);
  assert.equal(event!.durationMs, 12.5);
  assert.equal(event!.rule, 'default');
  log.close();
});

test('arguments past the size limit are cut with a marker', async (t) => {
  const log = open(await paths(t));
  await log.record({ kind: 'request', outcome: 'ok', arguments: { blob: 'x'.repeat(MAX_FIELD_CHARS * 2) } });
  const stored = log.query().events[0]!.arguments!;
  assert.ok(stored.length < MAX_FIELD_CHARS + 100);
  assert.match(stored, /…\[cut: \d+ more characters\]/);
  const many = { items: Array.from({ length: 400 }, (_, i) => `entry ${i} `.repeat(10)) };
  await log.record({ kind: 'request', outcome: 'ok', arguments: many });
  const cut = log.query().events[0]!.arguments!;
  assert.ok(cut.length <= MAX_FIELD_CHARS + 100, `${cut.length} characters`);
  assert.match(cut, /…\[cut: \d+ more (items|characters)\]/);
  log.close();
});

test('queries filter by every field, by free text, and page by cursor without gaps or repeats', async (t) => {
  const p = await paths(t);
  const log = open(p);
  await fill(log, 250);
  assert.equal(log.query({ client: 'cursor', limit: 1000 }).events.length, 125);
  assert.equal(log.query({ outcome: 'tool-error', limit: 1000 }).events.length, 50);
  assert.equal(log.query({ target: 'read_file', limit: 1000 }).events.length, 84);
  assert.equal(log.query({ since: 1_000_100, until: 1_000_149, limit: 1000 }).events.length, 50);
  // Each word is a phrase whose last part may be a prefix: "notes-17.md" names one file, "notes-17" ten more.
  assert.equal(log.query({ text: 'notes-17', limit: 1000 }).events.length, 11);
  const text = log.query({ text: 'notes-17.md', limit: 1000 }).events;
  assert.deepEqual(
    text.map((e) => e.arguments),
    ['{"path":"/home/me/notes-17.md"}'],
  );
  assert.equal(log.query({ text: 'read', limit: 1000 }).events.length, 84, 'prefix match on the tool name');
  const seen: number[] = [];
  let before: number | undefined;
  for (;;) {
    const page = log.query({ client: 'claude', limit: 40, before });
    seen.push(...page.events.map((e) => e.id));
    if (page.next === null) break;
    before = page.next;
  }
  assert.equal(seen.length, 125);
  assert.equal(new Set(seen).size, 125);
  assert.deepEqual(
    seen,
    [...seen].sort((a, b) => b - a),
    'newest first',
  );
  log.close();
});

test('an untouched log verifies; the head file names its last record', async (t) => {
  const p = await paths(t);
  const log = open(p);
  await fill(log, 50);
  // The writer thread hashes; the head file follows what it stored within about a second, without waiting for close.
  await log.whenStored();
  for (let waited = 0; readHead(p.head)?.lastId !== 50 && waited < 5_000; waited += 50) await sleep(50);
  assert.deepEqual(readHead(p.head), { ...log.head(), lastId: 50 });
  log.close();
  const report = verify(p);
  assert.deepEqual(report, { ok: true, checked: 50, firstId: 1, lastId: 50, problem: null });
  assert.equal(readHead(p.head)?.lastId, 50);
});

test('T44 editing a field, deleting a record or swapping two is reported with the first bad record', async (t) => {
  const p = await paths(t);
  const log = open(p);
  await fill(log, 30);
  log.close();
  const pristine = `${p.db}.pristine`;
  copyFileSync(p.db, pristine);
  const tamper = (sql: string): ReturnType<typeof verify> => {
    copyFileSync(pristine, p.db);
    const raw = new Database(p.db);
    raw.exec(sql);
    raw.close();
    return verify(p);
  };
  const edited = tamper(`UPDATE audit SET outcome = 'ok' WHERE id = 11`);
  assert.deepEqual(edited.problem, { id: 11, message: 'record 11 was changed after it was written' });
  const deleted = tamper('DELETE FROM audit WHERE id = 7');
  assert.equal(deleted.problem?.id, 8);
  assert.match(deleted.problem!.message, /records 7 to 7 are missing/);
  const swapped = tamper(`
    UPDATE audit SET id = -1 WHERE id = 20;
    UPDATE audit SET id = 20 WHERE id = 21;
    UPDATE audit SET id = 21 WHERE id = -1;`);
  assert.equal(swapped.problem?.id, 20);
  assert.match(swapped.problem!.message, /does not link|was changed/);
  copyFileSync(pristine, p.db);
  assert.equal(verify(p).ok, true);
});

test('T79 cutting the newest records, or putting back an older copy, is caught by the head kept outside', async (t) => {
  const p = await paths(t);
  const log = open(p);
  await fill(log, 20);
  log.close();
  const older = `${p.db}.older`;
  copyFileSync(p.db, older);
  const again = open(p);
  await fill(again, 10);
  again.close();
  assert.equal(verify(p).ok, true);

  const raw = new Database(p.db);
  raw.exec('DELETE FROM audit WHERE id > 20');
  raw.close();
  const cut = verify(p);
  assert.equal(cut.ok, false);
  assert.match(
    cut.problem!.message,
    /the newest records are missing: the head file names record 30, the database ends at 20/,
  );

  // Writing on after the cut keeps the gap visible rather than reusing the ids.
  const reopened = open(p);
  assert.deepEqual(reopened.missingAtOpen, { fromId: 21, toId: 30 });
  await reopened.record({ kind: 'config', outcome: 'info' });
  await reopened.record({ kind: 'config', outcome: 'info' });
  reopened.close();
  assert.match(verify(p).problem!.message, /records 21 to 30 are missing before record 31/);
  const linked = new Database(p.db, { readonly: true });
  const [before, after, next] = linked
    .prepare('SELECT prev_hash, hash FROM audit WHERE id IN (20, 31, 32) ORDER BY id')
    .all() as { prev_hash: string; hash: string }[];
  linked.close();
  assert.equal(after!.prev_hash, before!.hash, 'the first record after the gap links to the last one before it');
  assert.equal(next!.prev_hash, after!.hash);

  copyFileSync(older, p.db);
  for (const suffix of ['-wal', '-shm']) copyFileSync(older, `${p.db}${suffix}`);
  const replaced = verify(p);
  assert.equal(replaced.ok, false);
});

test('retention removes old and surplus records and what remains still verifies', async (t) => {
  const p = await paths(t);
  const log = open(p);
  await fill(log, 100);
  const DAY = 86_400_000;
  // Records 1..100 have ts 1_000_000..1_000_099; "now" puts the first 40 past 1 day.
  const byAge = pruneAudit(log, { days: 1, maxRows: 1_000_000 }, 1_000_040 + DAY);
  assert.deepEqual(byAge, { removed: 40, anchorId: 40 });
  const byCount = pruneAudit(log, { days: 365, maxRows: 25 }, 1_000_040 + DAY);
  assert.deepEqual(byCount, { removed: 35, anchorId: 75 });
  await fill(log, 5);
  log.close();
  const report = verify(p);
  assert.deepEqual(report, { ok: true, checked: 30, firstId: 76, lastId: 105, problem: null });
  const raw = new Database(p.db);
  raw.exec('DELETE FROM audit WHERE id = 76');
  raw.close();
  assert.match(
    verify(p).problem!.message,
    /missing|does not link/,
    'removing the first remaining record is still caught',
  );
});

test('records not yet uploaded outlive their days; the row cap removes them anyway', async (t) => {
  const p = await paths(t);
  const log = open(p);
  await fill(log, 100);
  const DAY = 86_400_000;
  // The first 40 are past 1 day, but only 1..25 have been acknowledged by the receiver.
  const held = pruneAudit(log, { days: 1, maxRows: 1_000_000, unsentAfter: 25 }, 1_000_040 + DAY);
  assert.deepEqual(held, { removed: 25, anchorId: 25 });
  const capped = pruneAudit(log, { days: 1, maxRows: 50, unsentAfter: 25 }, 1_000_040 + DAY);
  assert.deepEqual(capped, { removed: 25, anchorId: 50 });
  log.close();
  assert.equal(verify(p).ok, true);
});

test('version-1 records are carried into the chained table, in order, and verify', async (t) => {
  const p = await paths(t);
  const raw = new Database(p.db);
  raw.exec(`CREATE TABLE migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL);
    INSERT INTO migrations VALUES (1, 0);
    CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, ts INTEGER NOT NULL, kind TEXT NOT NULL,
      outcome TEXT NOT NULL, client TEXT, server TEXT, tool TEXT, duration_ms REAL, error TEXT,
      protocol_version TEXT, session_id TEXT, detail TEXT);
    INSERT INTO events (ts, kind, outcome, client, server, tool, duration_ms) VALUES (1, 'tool-call', 'ok', 'a', 's', 'echo', 1.5);
    INSERT INTO events (ts, kind, outcome, detail) VALUES (2, 'auth', 'unauthenticated', '{"path":"/mcp"}');`);
  raw.close();
  const log = open(p);
  const events = log.query().events;
  assert.deepEqual(
    events.map((e) => [e.id, e.kind, e.method, e.target, e.outcome]),
    [
      [2, 'auth', null, null, 'unauthenticated'],
      [1, 'request', 'tools/call', 'echo', 'ok'],
    ],
  );
  await log.record({ kind: 'config', outcome: 'info' });
  log.close();
  assert.deepEqual(verify(p).problem, null);
  const check = new Database(p.db, { readonly: true });
  const versions = check.prepare('SELECT version FROM migrations ORDER BY version').all() as { version: number }[];
  check.close();
  assert.deepEqual(
    versions.map((v) => v.version),
    Array.from({ length: AUDIT_SCHEMA_VERSION }, (_, i) => i + 1),
  );
});

test('a database from a newer Switchboard is refused', async (t) => {
  const p = await paths(t);
  open(p).close();
  const raw = new Database(p.db);
  raw.prepare('INSERT INTO migrations (version, applied_at) VALUES (?, ?)').run(AUDIT_SCHEMA_VERSION + 1, Date.now());
  raw.close();
  const refused = openAuditDb(p.db);
  assert.equal(refused.ok, false);
  assert.match(refused.ok ? '' : refused.error, /newer than this Switchboard understands/);
});

test('the audit log offers no way to change or delete a record', () => {
  const methods = Object.getOwnPropertyNames(AuditLog.prototype);
  assert.deepEqual(
    methods.filter((m) => /update|delete|remove|clear|purge/i.test(m)),
    [],
  );
});

/** Records (not chunk trailers) in journal text. */
function rowsIn(journal: string): number {
  return journal.split('\n').filter((line) => line.startsWith('[')).length;
}

/** Failure reports as they come, and a way to wait for the next one. */
function failureReports(): {
  readonly seen: (string | null)[];
  next(): Promise<string | null>;
  listen(f: string | null): void;
} {
  const seen: (string | null)[] = [];
  const waiting: ((f: string | null) => void)[] = [];
  return {
    seen,
    next: () => new Promise((resolve) => waiting.push(resolve)),
    listen(f) {
      seen.push(f);
      for (const resolve of waiting.splice(0)) resolve(f);
    },
  };
}

test('T45 while the database refuses writes, calls go on, the failure is reported, and nothing is lost', async (t) => {
  const p = await paths(t);
  const reports = failureReports();
  const opened = openAuditDb(p.db);
  assert.ok(opened.ok);
  const log = new AuditLog(opened.db, { headPath: p.head, onWriteFailure: (f) => reports.listen(f) });
  await fill(log, 5);
  assert.equal(log.query().events.length, 5);
  // A full disk cannot be had on demand here; a trigger that fails every insert stands in for one.
  opened.db.exec(
    `CREATE TRIGGER full_disk BEFORE INSERT ON audit BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END`,
  );
  const failing = reports.next();
  await fill(log, 3);
  assert.match((await failing) ?? '', /cannot be written: database or disk is full/);
  assert.match(log.failure ?? '', /cannot be written: database or disk is full/);
  assert.equal(log.query().events.length, 5, 'the refused records are not in the database yet');
  assert.equal(rowsIn(readFileSync(p.journal, 'utf8')), 8, 'but they are in the journal');
  const recovered = reports.next();
  opened.db.exec('DROP TRIGGER full_disk');
  assert.equal(await recovered, null, 'the writer tries again by itself');
  assert.equal(log.failure, null);
  assert.deepEqual(
    reports.seen.map((f) => (f === null ? 'ok' : 'failing')),
    ['failing', 'ok'],
  );
  assert.equal(log.query().events.length, 8, 'kept and written once writing works again');
  log.close();
  assert.deepEqual(verify(p).problem, null, 'still one chain');
});

test('while the journal cannot be written (a full disk), calls go on and the failure is reported', async (t) => {
  const p = await paths(t);
  const reports = failureReports();
  const opened = openAuditDb(p.db);
  assert.ok(opened.ok);
  // /dev/full refuses every write with ENOSPC, as a full disk does.
  const log = new AuditLog(opened.db, { journalPath: '/dev/full', onWriteFailure: (f) => reports.listen(f) });
  const failing = reports.next();
  await fill(log, 4);
  assert.match((await failing) ?? '', /audit journal cannot be written: .*ENOSPC/);
  assert.equal(log.dropped, 0, 'kept in memory, to be written once the disk has room');
  log.close();
});

test('records the journal holds but the database lacks (a killed process) are replayed on open', async (t) => {
  const p = await paths(t);
  const first = open(p);
  await fill(first, 10);
  const journal = readFileSync(p.journal, 'utf8');
  first.close();
  assert.equal(rowsIn(journal), 10);
  // As if the process died before its writer took in the last six: they are in the journal only.
  const raw = new Database(p.db);
  raw.prepare('DELETE FROM audit WHERE id > 4').run();
  raw.close();
  writeFileSync(p.journal, journal);
  const second = open(p);
  const ids = second.query({ limit: 100 }).events.map((e) => e.id);
  assert.deepEqual(ids, [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
  await fill(second, 1);
  second.close();
  assert.equal(readFileSync(p.journal, 'utf8'), '', 'cut back once the database holds it all');
  assert.deepEqual(verify(p).problem, null, 'one chain across the replay');
});

test('a journal an earlier version left beside the database is replayed on open, then removed', async (t) => {
  const p = await paths(t);
  const first = open(p);
  await fill(first, 6);
  const journal = readFileSync(p.journal, 'utf8');
  first.close();
  // As if an earlier version, which kept the journal beside audit.db, was killed before its writer took in three.
  const raw = new Database(p.db);
  raw.prepare('DELETE FROM audit WHERE id > 3').run();
  raw.close();
  const former = join(dirname(p.db), 'audit.journal');
  writeFileSync(former, journal);
  const second = open(p);
  assert.deepEqual(
    second.query({ limit: 100 }).events.map((e) => e.id),
    [6, 5, 4, 3, 2, 1],
  );
  assert.equal(existsSync(former), false, 'removed once the database holds it');
  await fill(second, 1);
  second.close();
  assert.deepEqual(verify(p).problem, null, 'one chain across the replay');
});

test('appending to the journal does not touch the folder holding audit.db and config.json', async (t) => {
  const p = await paths(t);
  const log = open(p);
  await fill(log, 1);
  // The data directory is watched for edits to config.json and tokens.json: a journal write there would wake the
  // watchers once per call. The database's own files are written by the writer thread, at most ten times a second.
  const events: string[] = [];
  const watcher = watch(dirname(p.db), (_event, name) => events.push(String(name)));
  t.after(() => watcher.close());
  for (let turn = 0; turn < 200; turn += 1) {
    await fill(log, 1);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await sleep(50);
  log.close();
  assert.ok(
    events.length < 40,
    `the folder saw ${events.length} events for 200 appends: ${events.slice(0, 8).join(', ')}`,
  );
  assert.equal(events.filter((name) => name.includes('journal')).length, 0, events.join(', '));
});
