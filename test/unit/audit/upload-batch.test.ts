// Reading the next upload batch from a real audit database: in id order after the cursor, at most the batch size,
// stopping early past the byte budget but never empty while records wait.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { openAuditDb } from '../../../main/audit/audit-db.ts';
import { AuditLog } from '../../../main/audit/audit-log.ts';
import { hashAt, readBatch } from '../../../main/audit/upload-batch.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

async function logWith(t: TestContext, n: number): Promise<AuditLog> {
  const opened = openAuditDb(join(await makeTempDir(t), 'audit.db'));
  assert.ok(opened.ok, opened.ok ? '' : opened.error);
  const log = new AuditLog(opened.db);
  t.after(() => log.close());
  for (let i = 0; i < n; i += 1) {
    void log.record({
      kind: 'request',
      method: 'tools/call',
      outcome: 'ok',
      target: `t${i}`,
      arguments: 'x'.repeat(100),
    });
  }
  await log.whenStored();
  return log;
}

test('records after the cursor, oldest first, at most the batch size', async (t) => {
  const log = await logWith(t, 30);
  const db = log.database;
  assert.deepEqual(
    readBatch(db, 0, 10).map((e) => e.id),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  );
  assert.deepEqual(
    readBatch(db, 25, 10).map((e) => e.id),
    [26, 27, 28, 29, 30],
  );
  assert.deepEqual(readBatch(db, 30, 10), []);
  assert.equal(log.lastId, 30);
  assert.equal(hashAt(db, 12), readBatch(db, 11, 1)[0]!.hash);
  assert.equal(hashAt(db, 99), null);
});

test('a batch stops once past the byte budget, and holds one record even when that one is larger', async (t) => {
  const log = await logWith(t, 30);
  // Each record counts about 500 bytes: a 1,500-byte budget takes three.
  assert.equal(readBatch(log.database, 0, 100, 1_500).length, 3);
  assert.equal(readBatch(log.database, 0, 100, 1).length, 1);
});
