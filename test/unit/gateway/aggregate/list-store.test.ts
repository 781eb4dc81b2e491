// The disk cache of servers' lists: what one run saves the next reads back, written atomically and only when it
// changed; a file that cannot be trusted is ignored whole, and invalid items are dropped.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { ListStore } from '../../../../main/gateway/aggregate/list-store.ts';
import { createLogger } from '../../../../main/log/logger.ts';

let dir: string;
let logged: string[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchboard-list-store-'));
  logged = [];
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function store(): ListStore {
  return new ListStore({
    dir: join(dir, 'lists'),
    logger: createLogger({ level: 'warn', write: (line) => logged.push(line) }),
    writeDelayMs: 5,
  });
}

const ECHO: Tool = { name: 'echo', inputSchema: { type: 'object', properties: { text: { type: 'string' } } } };
const CAPS = { tools: { listChanged: true }, resources: {} };

test('what one run saves, the next reads back: lists of each kind and the capabilities', async () => {
  const first = store();
  first.view('tools').save('fx', [ECHO], CAPS);
  first.view('resources').save('fx', [{ uri: 'fx://a', name: 'a' }], CAPS);
  first.view('prompts').save('fx', [], CAPS);
  await first.flush();
  const files = await readdir(join(dir, 'lists'));
  assert.deepEqual(files, ['fx.json'], 'one file per server, no temp file left');

  const second = store();
  await second.load();
  assert.deepEqual(second.view('tools').load('fx'), [ECHO]);
  assert.deepEqual(second.view('resources').load('fx'), [{ uri: 'fx://a', name: 'a' }]);
  assert.deepEqual(second.view('prompts').load('fx'), []);
  assert.equal(second.view('resourceTemplates').load('fx'), undefined, 'never read: nothing stands in');
  assert.deepEqual(second.capabilities('fx'), CAPS);
  assert.equal(second.view('tools').load('other'), undefined);
});

test('an unchanged list is not written again', async () => {
  const s = store();
  s.view('tools').save('fx', [ECHO], CAPS);
  await s.flush();
  const path = join(dir, 'lists', 'fx.json');
  // A mark only a rewrite would take away.
  const before = (await readFile(path, 'utf8')) + '\n';
  await writeFile(path, before);
  s.view('tools').save('fx', [{ ...ECHO }], CAPS);
  await s.flush();
  assert.equal(await readFile(path, 'utf8'), before);
});

test('a file that is not JSON, of another shape, naming another server or too odd is ignored whole', async () => {
  const lists = join(dir, 'lists');
  const s0 = store();
  s0.view('tools').save('ok', [ECHO], CAPS);
  await s0.flush();
  await writeFile(join(lists, 'garbage.json'), '{not json');
  await writeFile(join(lists, 'shape.json'), JSON.stringify({ version: 2, tools: 'x' }));
  await writeFile(join(lists, 'other.json'), JSON.stringify({ version: 1, server: 'ok', savedAt: 'x', tools: [ECHO] }));
  await writeFile(
    join(lists, 'caps.json'),
    JSON.stringify({ version: 1, server: 'caps', savedAt: 'x', capabilities: { tools: 'yes' } }),
  );
  await writeFile(join(lists, 'Not-A-Name.json'), JSON.stringify({ version: 1, server: 'x', savedAt: 'x' }));
  const s = store();
  await s.load();
  assert.deepEqual(s.view('tools').load('ok'), [ECHO]);
  for (const name of ['garbage', 'shape', 'other', 'caps']) assert.equal(s.view('tools').load(name), undefined);
  assert.equal(logged.filter((l) => l.includes('ignoring a cached list file')).length, 4);
});

test('items that are not valid MCP items are dropped, the rest kept', async () => {
  const lists = join(dir, 'lists');
  const s0 = store();
  s0.view('tools').save('mixed', [ECHO], CAPS);
  await s0.flush();
  await writeFile(
    join(lists, 'mixed.json'),
    JSON.stringify({
      version: 1,
      server: 'mixed',
      savedAt: 'x',
      tools: [ECHO, { name: 42 }, { description: 'no name or schema' }],
      resources: [{ uri: 'a://1', name: '1' }, { name: 'no uri' }],
    }),
  );
  const s = store();
  await s.load();
  assert.deepEqual(s.view('tools').load('mixed'), [ECHO]);
  assert.deepEqual(s.view('resources').load('mixed'), [{ uri: 'a://1', name: '1' }]);
  assert.ok(logged.some((l) => l.includes('dropped invalid items')));
});

test('a server that left the configuration has its file removed', async () => {
  const s = store();
  s.view('tools').save('gone', [ECHO], CAPS);
  await s.flush();
  s.forget('gone');
  await s.flush();
  assert.deepEqual(await readdir(join(dir, 'lists')), []);
});
