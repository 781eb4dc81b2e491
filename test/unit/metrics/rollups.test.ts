import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openAuditDb } from '../../../main/audit/audit-db.ts';
import { Rollups } from '../../../main/metrics/rollups.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

const MINUTE = 60_000;
const T0 = Date.parse('2026-06-01T10:00:00Z');

test('finished minutes are written with calls, errors and percentiles; the running minute waits', async (t) => {
  const opened = openAuditDb(join(await makeTempDir(t), 'audit.db'));
  assert.ok(opened.ok);
  const rollups = new Rollups(opened.db);
  for (let i = 1; i <= 100; i += 1) {
    rollups.observe(
      {
        kind: 'request',
        method: 'tools/call',
        server: 'fs',
        target: 'read',
        outcome: i % 10 === 0 ? 'tool-error' : 'ok',
        durationMs: i,
      },
      T0 + i * 100,
    );
  }
  rollups.observe(
    { kind: 'request', method: 'tools/call', server: 'fs', target: 'read', outcome: 'ok', durationMs: 5 },
    T0 + MINUTE + 1,
  );
  rollups.observe({ kind: 'auth', outcome: 'unauthenticated' }, T0 + 1);
  assert.equal(rollups.flush(T0 + MINUTE + 2), 1, 'only the finished minute');
  assert.deepEqual(rollups.read(T0), [
    {
      minute: T0,
      server: 'fs',
      tool: 'read',
      method: 'tools/call',
      calls: 100,
      errors: 10,
      p50Ms: 51,
      p95Ms: 96,
      p99Ms: 100,
    },
  ]);
  assert.equal(rollups.flush(T0 + 2 * MINUTE), 1);
  assert.equal(rollups.read(T0).length, 2);
  opened.db.close();
});

test('rollups older than seven days are removed; a busy minute keeps a bounded sample', async (t) => {
  const opened = openAuditDb(join(await makeTempDir(t), 'audit.db'));
  assert.ok(opened.ok);
  let seed = 1;
  const rollups = new Rollups(opened.db, () => (seed = (seed * 16807) % 2147483647) / 2147483647);
  rollups.observe(
    { kind: 'request', method: 'tools/call', server: 's', target: 'x', outcome: 'ok', durationMs: 1 },
    T0,
  );
  rollups.flush(T0 + MINUTE);
  for (let i = 0; i < 20_000; i += 1) {
    rollups.observe(
      { kind: 'request', method: 'tools/call', server: 's', target: 'x', outcome: 'ok', durationMs: i % 100 },
      T0 + 8 * 24 * 60 * MINUTE + 1,
    );
  }
  rollups.flush(T0 + 8 * 24 * 60 * MINUTE + MINUTE);
  const rows = rollups.read(0);
  assert.equal(rows.length, 1, 'the first minute is past seven days and gone');
  assert.equal(rows[0]!.calls, 20_000);
  assert.ok(rows[0]!.p50Ms! >= 40 && rows[0]!.p50Ms! <= 60, `p50 from the sample: ${rows[0]!.p50Ms}`);
  opened.db.close();
});
