import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { PromptCatalog } from '../../../../main/gateway/aggregate/prompt-catalog.ts';
import { silentLogger } from '../../../../main/log/logger.ts';
import { BACKOFF, FakeDirectory, FakeUpstream, RUNNING, eventually } from './fake-upstreams.ts';

const open: FakeUpstream[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
});

test('prompts are named <server>__<prompt>, routed back by the map, and shown as they are on a scoped endpoint', async () => {
  const dir = new FakeDirectory();
  const a = await FakeUpstream.start({ prompts: [{ name: 'simple' }, { name: 'with space' }] });
  const b = await FakeUpstream.start({ prompts: [{ name: 'simple', description: 'b’s' }] });
  open.push(a, b);
  dir.set('a', RUNNING, a);
  dir.set('b', RUNNING, b);
  const catalog = new PromptCatalog(dir, '__', silentLogger);
  const merged = await catalog.list(null, 2_000);
  const names = merged.groups.flatMap((g) => g.items.map((p) => p.name));
  assert.equal(names.length, 3);
  assert.deepEqual(names.slice(0, 1).concat(names.slice(2)), ['a__simple', 'b__simple']);
  assert.match(names[1]!, /^a__with_space-[0-9a-f]{8}$/);
  assert.equal(merged.groups[1]!.items[0]!.description, 'b’s');
  assert.deepEqual(catalog.route('b__simple', null), { server: 'b', prompt: 'simple' });
  assert.deepEqual(catalog.route(names[1]!, null), { server: 'a', prompt: 'with space' });
  assert.equal(catalog.route('b__nope', null), null);
  assert.deepEqual(catalog.route('simple', 'b'), { server: 'b', prompt: 'simple' });
  assert.deepEqual(
    (await catalog.list('a', 0)).groups[0]!.items.map((p) => p.name),
    ['simple', 'with space'],
  );
  const changed: string[] = [];
  catalog.on('changed', (s) => changed.push(s));
  b.prompts = [{ name: 'other' }];
  dir.emit('promptsChanged', 'b');
  await eventually(() => changed.includes('b'), 'the change');
  assert.deepEqual(catalog.route('b__other', null), { server: 'b', prompt: 'other' });
  dir.set('b', BACKOFF);
  assert.equal(catalog.route('b__other', null), null);
  assert.equal(catalog.serverOf('b__other', null), 'b');
});
