import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { AUDIT_SCHEMA_VERSION, openAuditDb } from '../../../main/audit/audit-db.ts';
import { AuditLog } from '../../../main/audit/audit-log.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

function open(path: string): AuditLog {
  const db = openAuditDb(path);
  assert.ok(db.ok, db.ok ? '' : db.error);
  return new AuditLog(db.db);
}

test('records survive close and reopen, newest first, filtered by field', async (t) => {
  const dir = await makeTempDir(t);
  const path = join(dir, 'audit.db');
  const log = open(path);
  log.record({ kind: 'tool-call', outcome: 'ok', client: 'a', server: 's1', tool: 'echo', durationMs: 1.5 });
  log.record({ kind: 'tool-call', outcome: 'error', client: 'b', server: 's2', tool: 'x', error: 'boom' });
  log.record({ kind: 'auth', outcome: 'unauthenticated', detail: { path: '/mcp', reason: 'missing' } });
  log.close();

  const again = open(path);
  const all = again.query();
  assert.deepEqual(
    all.map((e) => e.outcome),
    ['unauthenticated', 'error', 'ok'],
  );
  assert.deepEqual(all[0]!.detail, { path: '/mcp', reason: 'missing' });
  assert.equal(again.query({ server: 's2' })[0]!.error, 'boom');
  assert.equal(again.query({ kind: 'tool-call', client: 'a' }).length, 1);
  assert.equal(again.query({ limit: 1 }).length, 1);
  again.close();
});

test('a query sees records not yet flushed', async (t) => {
  const log = open(join(await makeTempDir(t), 'audit.db'));
  log.record({ kind: 'session', outcome: 'session-mismatch', client: 'c' });
  assert.equal(log.query({ outcome: 'session-mismatch' }).length, 1);
  log.close();
});

test('migrations are recorded once and a newer database is refused', async (t) => {
  const path = join(await makeTempDir(t), 'audit.db');
  open(path).close();
  open(path).close();
  const raw = new Database(path);
  const versions = raw.prepare('SELECT version FROM migrations').all() as { version: number }[];
  assert.deepEqual(
    versions.map((v) => v.version),
    [AUDIT_SCHEMA_VERSION],
  );
  raw.prepare('INSERT INTO migrations (version, applied_at) VALUES (?, ?)').run(AUDIT_SCHEMA_VERSION + 1, Date.now());
  raw.close();
  const refused = openAuditDb(path);
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
