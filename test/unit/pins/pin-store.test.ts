import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { readPinFile, writePinFile, type PinTable } from '../../../main/pins/pin-store.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

const HASH = `sha256:${'a'.repeat(64)}`;
const seen = { hash: HASH, definition: { name: 'search', description: 'Searches.' }, at: '2026-01-01T00:00:00.000Z' };

test('a missing file is an empty table; a written table reads back the same', async (t) => {
  const file = join(await makeTempDir(t), 'tool-pins.json');
  const empty = await readPinFile(file);
  assert.ok(empty.ok && empty.pins.size === 0);
  const pins: PinTable = new Map([
    ['notes', new Map([['search', { approved: seen, changed: { ...seen, hash: `sha256:${'b'.repeat(64)}` } }]])],
    ['odd', new Map([['__proto__', { approved: seen }]])],
  ]);
  await writePinFile(file, pins);
  const read = await readPinFile(file);
  assert.ok(read.ok);
  assert.deepEqual(read.pins, pins);
  assert.equal(Object.getPrototypeOf({}), Object.prototype, 'a tool named __proto__ reached no prototype');
});

test('a corrupt or foreign file is an error naming the file and the fault, never an empty table', async (t) => {
  const file = join(await makeTempDir(t), 'tool-pins.json');
  const cases: [string, RegExp][] = [
    ['{not json', /is not valid JSON/],
    [JSON.stringify({ version: 2, servers: {} }), /version/],
    [
      JSON.stringify({ version: 1, servers: { notes: { search: { approved: { ...seen, hash: 'md5:x' } } } } }),
      /servers\.notes\.search\.approved\.hash must be "sha256:"/,
    ],
    [
      JSON.stringify({ version: 1, servers: { notes: { search: { approved: seen, extra: 1 } } } }),
      /servers\.notes\.search/,
    ],
    ['[]', /\(file\)|expected object/],
  ];
  for (const [text, fault] of cases) {
    await writeFile(file, text);
    const read = await readPinFile(file);
    assert.equal(read.ok, false, text);
    if (read.ok) continue;
    assert.ok(read.error.startsWith(file), read.error);
    assert.match(read.error, fault);
    assert.match(read.error, /remove it to approve every tool/);
  }
});

test('the file is private to its owner', { skip: process.platform === 'win32' }, async (t) => {
  const file = join(await makeTempDir(t), 'tool-pins.json');
  await writePinFile(file, new Map());
  const { stat } = await import('node:fs/promises');
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), { version: 1, servers: {} });
});
