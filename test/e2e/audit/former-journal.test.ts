// A data directory from an earlier version keeps its audit journal beside audit.db. Records still in it (a serve
// that was killed) are read by the `audit` commands, as records in today's journal are, until serve opens the log
// and takes them in.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { openAuditDb } from '../../../main/audit/audit-db.ts';
import { AuditLog } from '../../../main/audit/audit-log.ts';
import { dataDirPaths } from '../../../main/paths/data-dir.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { runCliInProcess } from '../gateway/support.ts';

test('the audit command reads records a former journal holds and the database lacks', async (t) => {
  const dir = await makeTempDir(t);
  const paths = dataDirPaths(dir);
  const opened = openAuditDb(paths.audit);
  assert.ok(opened.ok);
  const log = new AuditLog(opened.db, { journalPath: paths.auditJournal });
  await Promise.all(
    ['a', 'b', 'c', 'd', 'e'].map((target) =>
      log.record({ kind: 'request', method: 'tools/call', outcome: 'ok', client: 'cursor', server: 'fs', target }),
    ),
  );
  const journal = readFileSync(paths.auditJournal, 'utf8');
  log.close();
  opened.db.close();
  // As an earlier version left it after a kill: the last two records in its journal only.
  const raw = new Database(paths.audit);
  raw.prepare('DELETE FROM audit WHERE id > 3').run();
  raw.close();
  writeFileSync(join(dir, 'audit.journal'), journal);

  const listed = await runCliInProcess(['audit', '--json', '--data-dir', dir]);
  assert.equal(listed.code, 0, listed.err);
  const events = (JSON.parse(listed.out) as { events: { target: string }[] }).events;
  assert.deepEqual(events.map((e) => e.target).sort(), ['a', 'b', 'c', 'd', 'e']);
});
