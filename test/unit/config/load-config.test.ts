import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../../main/config/load-config.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

test('a missing config.json is the default empty config', async (t) => {
  const dir = await makeTempDir(t);
  const result = await loadConfig(join(dir, 'config.json'));
  assert.ok(result.ok);
  assert.deepEqual(result.config.servers, {});
  assert.deepEqual(result.input, {});
});

test('a missing data directory is the default config too', async (t) => {
  const dir = await makeTempDir(t);
  const result = await loadConfig(join(dir, 'not-created-yet', 'config.json'));
  assert.ok(result.ok);
});

test('reads and validates the file', async (t) => {
  const dir = await makeTempDir(t);
  const path = join(dir, 'config.json');
  await writeFile(path, '{"servers": {"fs": {"command": "npx"}}}');
  const good = await loadConfig(path);
  assert.ok(good.ok);
  assert.deepEqual(Object.keys(good.config.servers), ['fs']);

  await writeFile(path, '{"servers": {"fs": {"command": ""}}}');
  const bad = await loadConfig(path);
  assert.ok(!bad.ok);
  assert.deepEqual(bad.problems, [{ path: 'servers.fs.command', message: 'must not be empty' }]);
});

test('a temp file left by a write that never finished is ignored', async (t) => {
  const dir = await makeTempDir(t);
  const path = join(dir, 'config.json');
  await writeFile(path, '{"servers": {"old": {"command": "npx"}}}');
  // What a crash between writing the temp file and renaming it leaves behind: half a file.
  await writeFile(join(dir, '.config.json.4242.0123456789ab.tmp'), '{"servers": {"new": {"comm');
  const result = await loadConfig(path);
  assert.ok(result.ok);
  assert.deepEqual(Object.keys(result.config.servers), ['old']);
});

test('a config.json that cannot be read is a problem naming the file', async (t) => {
  const dir = await makeTempDir(t);
  const path = join(dir, 'config.json');
  await mkdir(path);
  const result = await loadConfig(path);
  assert.ok(!result.ok);
  assert.equal(result.problems.length, 1);
  assert.equal(result.problems[0]?.path, '');
  assert.match(result.problems[0]?.message ?? '', /could not read .*config\.json: it is a directory \(EISDIR\)/);
});
