// The install id: made once, the same on every later start, and never silently replaced when damaged.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ensureInstallId } from '../../../main/audit/install-id.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

test('made on first use, kept and returned unchanged afterwards', async (t) => {
  const path = join(await makeTempDir(t), 'install-id');
  const first = await ensureInstallId(path);
  assert.ok(first.ok);
  assert.match(first.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(readFileSync(path, 'utf8'), `${first.id}\n`);
  assert.deepEqual(await ensureInstallId(path), first);
});

test('a damaged file is reported, not replaced', async (t) => {
  const path = join(await makeTempDir(t), 'install-id');
  writeFileSync(path, 'not-an-id\n');
  const result = await ensureInstallId(path);
  assert.equal(result.ok, false);
  assert.match(result.ok ? '' : result.error, /does not hold an install id; delete it/);
  assert.equal(readFileSync(path, 'utf8'), 'not-an-id\n');
});
