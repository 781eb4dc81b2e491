import assert from 'node:assert/strict';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ConfigInput } from '../../../main/config/schema.ts';
import { serializeConfig, writeConfig } from '../../../main/config/write-config.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

test('writes the input form as 2-space JSON with a trailing newline, private to the owner', async (t) => {
  const dir = await makeTempDir(t);
  const path = join(dir, 'config.json');
  const input: ConfigInput = { servers: { fs: { command: 'npx', args: ['-y', 'fs'] } } };
  const result = await writeConfig(path, input);
  assert.ok(result.ok);
  assert.equal(result.config.servers['fs']?.enabled, true, 'the result has the defaults filled in');
  const text = await readFile(path, 'utf8');
  assert.equal(
    text,
    '{\n  "servers": {\n    "fs": {\n      "command": "npx",\n      "args": [\n        "-y",\n        "fs"\n      ]\n    }\n  }\n}\n',
  );
  assert.doesNotMatch(text, /enabled|gateway|restart/, 'defaults are not written out');
  if (process.platform !== 'win32') assert.equal((await stat(path)).mode & 0o777, 0o600);
  assert.deepEqual(await readdir(dir), ['config.json']);
});

test('refuses to write an invalid config and leaves the file untouched', async (t) => {
  const dir = await makeTempDir(t);
  const path = join(dir, 'config.json');
  const before = '{"servers": {}}\n';
  await writeFile(path, before);
  const result = await writeConfig(path, { servers: { 'Bad Name': { command: 'x' } }, gateway: { port: -1 } });
  assert.ok(!result.ok);
  assert.deepEqual(
    result.problems.map((p) => p.path),
    ['gateway.port', 'servers["Bad Name"]'],
  );
  assert.equal(await readFile(path, 'utf8'), before);
  assert.deepEqual(await readdir(dir), ['config.json']);
});

test('refuses values JSON cannot hold', async (t) => {
  const dir = await makeTempDir(t);
  const path = join(dir, 'config.json');
  const result = await writeConfig(path, { gateway: { port: NaN } });
  assert.ok(!result.ok);
  assert.equal(result.problems[0]?.path, 'gateway.port');
  assert.deepEqual(await readdir(dir), []);
});

test('creates the folder when it does not exist yet', async (t) => {
  const dir = await makeTempDir(t);
  const path = join(dir, 'fresh', 'config.json');
  assert.ok((await writeConfig(path, {})).ok);
  assert.equal(await readFile(path, 'utf8'), '{}\n');
});

test('a file-system failure is a problem that says the old file is unchanged', async (t) => {
  const dir = await makeTempDir(t);
  const blocker = join(dir, 'file');
  await writeFile(blocker, '');
  const result = await writeConfig(join(blocker, 'config.json'), {});
  assert.ok(!result.ok);
  assert.match(result.problems[0]?.message ?? '', /could not write .*config\.json: .*the previous file is unchanged/);
});

test('serializeConfig keeps key order', () => {
  assert.equal(serializeConfig({ servers: {}, version: 1 }), '{\n  "servers": {},\n  "version": 1\n}\n');
});
