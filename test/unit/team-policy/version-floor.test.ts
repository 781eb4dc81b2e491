import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { compareToFloor, readFloor, writeFloor } from '../../../main/team-policy/version-floor.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

test('T87 a version above the floor is newer; below it, older; equal with the same digest, the same', () => {
  assert.equal(compareToFloor(null, 1, A), 'newer');
  assert.equal(compareToFloor({ version: 4, digest: A }, 5, B), 'newer');
  assert.equal(compareToFloor({ version: 4, digest: A }, 3, A), 'older');
  assert.equal(compareToFloor({ version: 4, digest: A }, 4, A), 'same');
});

test('T87 the applied version with different content is told apart from the same document', () => {
  assert.equal(compareToFloor({ version: 4, digest: A }, 4, B), 'same-version-different');
});

test('the floor survives a write and read; a missing file is no floor; a damaged one is an error', async (t) => {
  const dir = await makeTempDir(t);
  const path = join(dir, 'floor.json');
  assert.deepEqual(await readFloor(path), { ok: true, floor: null });
  await writeFloor(path, { version: 7, digest: A });
  assert.deepEqual(await readFloor(path), { ok: true, floor: { version: 7, digest: A } });
  await writeFile(path, '{"version": "7"}');
  const damaged = await readFloor(path);
  assert.equal(damaged.ok, false);
  assert.match(damaged.ok ? '' : damaged.error, /damaged/);
});
