// What the list cache adds to the tool catalog's behaviour (tested in tool-catalog.test.ts): lists of servers
// that do not announce changes are read again once old, and the last list of a server that went down is kept.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type { Resource } from '@modelcontextprotocol/sdk/types.js';
import { ListCache } from '../../../../main/gateway/aggregate/list-cache.ts';
import { silentLogger } from '../../../../main/log/logger.ts';
import { BACKOFF, FakeDirectory, FakeUpstream, RUNNING, eventually } from './fake-upstreams.ts';

const open: FakeUpstream[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
});

function cacheOf(dir: FakeDirectory, maxAgeMs: number): ListCache<Resource, number> {
  return new ListCache<Resource, number>(dir, {
    kind: {
      noun: 'resources',
      changeEvent: 'resourcesChanged',
      supported: (c) => c.resources !== undefined,
      announcesChanges: (c) => c.resources?.listChanged === true,
      page: async (client, cursor, timeout) => {
        const result = await client.listResources(cursor === undefined ? {} : { cursor }, { timeout });
        return { items: result.resources, nextCursor: result.nextCursor };
      },
    },
    index: (_server, items) => items.length,
    logger: silentLogger,
    maxAgeMs,
  });
}

test('a server that does not announce changes is read again once its copy is older than maxAgeMs', async () => {
  const quiet = await FakeUpstream.start({ resources: [{ uri: 'q://1', name: '1' }], capabilities: { resources: {} } });
  const loud = await FakeUpstream.start({ resources: [{ uri: 'l://1', name: '1' }] });
  open.push(quiet, loud);
  const dir = new FakeDirectory();
  dir.set('quiet', RUNNING, quiet);
  dir.set('loud', RUNNING, loud);
  const cache = cacheOf(dir, 50);
  await cache.collect(null, 1_000);
  quiet.resources.push({ uri: 'q://2', name: '2' });
  loud.resources.push({ uri: 'l://2', name: '2' });
  await new Promise((resolve) => setTimeout(resolve, 80));
  // The old copy answers at once; the fresh one is read meanwhile.
  assert.equal((await cache.collect(null, 0)).lists.find((l) => l.server === 'quiet')!.list.index, 1);
  await eventually(() => cache.get('quiet')?.index === 2, 'the fresh copy');
  assert.equal(cache.get('loud')?.index, 1, 'a server that announces changes was read again unasked');
});

test('the last list of a server that went down stays known until it is listed again or removed', async () => {
  const fake = await FakeUpstream.start({ resources: [{ uri: 'a://1', name: '1' }] });
  open.push(fake);
  const dir = new FakeDirectory();
  dir.set('a', RUNNING, fake);
  const cache = cacheOf(dir, 10_000);
  assert.equal(await cache.whenListed('a', 1_000), true);
  dir.set('a', BACKOFF);
  assert.equal(cache.get('a'), undefined);
  assert.equal(cache.known('a')?.index, 1);
  assert.deepEqual(cache.knownServers(), ['a']);
  const back = await FakeUpstream.start({ resources: [{ uri: 'a://1', name: '1' }] });
  open.push(back);
  const changed: string[] = [];
  cache.on('changed', (s) => changed.push(s));
  dir.set('a', RUNNING, back);
  await eventually(() => cache.get('a') !== undefined, 'the server listed again');
  assert.deepEqual(changed, ['a'], 'coming back with the same list is still a change for clients');
  dir.remove('a');
  assert.equal(cache.known('a'), undefined);
});
