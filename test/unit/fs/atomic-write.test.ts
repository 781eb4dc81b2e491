import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { isTempFileFor, writeFileAtomic } from '../../../main/fs/atomic-write.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

test('writes the content with the given mode and leaves no temp file', async (t) => {
  const dir = await makeTempDir(t);
  const path = join(dir, 'config.json');
  await writeFile(path, 'old');
  await writeFileAtomic(path, 'new\n', 0o600);
  assert.equal(await readFile(path, 'utf8'), 'new\n');
  if (process.platform !== 'win32') assert.equal((await stat(path)).mode & 0o777, 0o600);
  assert.deepEqual(await readdir(dir), ['config.json']);
});

test('readers racing many writes only ever see a whole old or whole new file', async (t) => {
  const dir = await makeTempDir(t);
  const path = join(dir, 'config.json');
  // Big enough that a non-atomic write would be seen half done.
  const versions = Array.from({ length: 20 }, (_, i) => `${String(i).padStart(2, '0')}:${'x'.repeat(256 * 1024)}`);
  await writeFile(path, versions[0] ?? '');
  const allowed = new Set(versions);
  let done = false;
  let reads = 0;
  const reader = (async () => {
    while (!done) {
      const text = await readFile(path, 'utf8');
      assert.ok(allowed.has(text), `read a torn file of ${text.length} characters starting ${text.slice(0, 3)}`);
      reads++;
    }
  })();
  try {
    for (const version of versions.slice(1)) await writeFileAtomic(path, version, 0o600);
  } finally {
    done = true;
    await reader;
  }
  assert.ok(reads > 0);
  assert.equal(await readFile(path, 'utf8'), versions.at(-1));
  assert.deepEqual(await readdir(dir), ['config.json']);
});

test('a failed write leaves the target alone and removes its temp file', async (t) => {
  const dir = await makeTempDir(t);
  const path = join(dir, 'config.json');
  // A non-empty folder where the file should be makes the rename fail after the temp file is written.
  await mkdir(path);
  await writeFile(join(path, 'keep'), 'x');
  await assert.rejects(writeFileAtomic(path, '{}', 0o600));
  assert.deepEqual(await readdir(dir), ['config.json']);
  assert.deepEqual(await readdir(path), ['keep']);
});

test('temp files are recognised by name', () => {
  assert.ok(isTempFileFor('.config.json.123.abcdef012345.tmp', '/d/config.json'));
  assert.ok(!isTempFileFor('config.json', '/d/config.json'));
  assert.ok(!isTempFileFor('.tokens.json.1.a.tmp', '/d/config.json'));
  assert.ok(!isTempFileFor('audit.db-wal', '/d/config.json'));
});
