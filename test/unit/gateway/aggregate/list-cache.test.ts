// What the list cache adds to the tool catalog's behaviour (tested in tool-catalog.test.ts): lists of servers
// that do not announce changes are read again once old, and the last list of a server that went down is kept.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type { Resource } from '@modelcontextprotocol/sdk/types.js';
import { ListCache } from '../../../../main/gateway/aggregate/list-cache.ts';
import type { ListStoreView } from '../../../../main/gateway/aggregate/list-store.ts';
import type { ServerState } from '../../../../main/supervisor/server-state.ts';
import { silentLogger } from '../../../../main/log/logger.ts';
import { BACKOFF, FakeDirectory, FakeUpstream, RUNNING, eventually } from './fake-upstreams.ts';

const open: FakeUpstream[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
});

function cacheOf(dir: FakeDirectory, maxAgeMs: number, store?: ListStoreView<Resource>): ListCache<Resource, number> {
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
    ...(store === undefined ? {} : { store }),
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

const IDLE: ServerState = { state: 'idle', since: 0 };

function storeOf(initial: Record<string, Resource[]>): ListStoreView<Resource> & { saved: string[] } {
  const lists = new Map(Object.entries(initial));
  const saved: string[] = [];
  return {
    saved,
    load: (server) => lists.get(server),
    save: (server, items) => {
      saved.push(server);
      lists.set(server, [...items]);
    },
  };
}

function storedCacheOf(dir: FakeDirectory, store: ListStoreView<Resource>): ListCache<Resource, number> {
  return cacheOf(dir, 10_000, store);
}

test('an idle on-demand server is listed from its stored list without being started', async () => {
  const dir = new FakeDirectory();
  let demanded = 0;
  dir.set('od', IDLE, null, { demand: async () => void demanded++ });
  const store = storeOf({ od: [{ uri: 'od://1', name: '1' }] });
  const cache = storedCacheOf(dir, store);
  const collected = await cache.collect(null, 0);
  assert.deepEqual(
    collected.lists.map((l) => [l.server, l.list.items.map((r) => r.uri)]),
    [['od', ['od://1']]],
  );
  assert.deepEqual(collected.unavailable, []);
  assert.equal(demanded, 0);
  assert.equal(await cache.whenListed('od', 0), true);
});

test('an idle on-demand server with nothing stored is started by the list that wants it', async () => {
  const fake = await FakeUpstream.start({ resources: [{ uri: 'n://1', name: '1' }] });
  open.push(fake);
  const dir = new FakeDirectory();
  let demanded = 0;
  dir.set('new', IDLE, null, {
    demand: async () => {
      demanded++;
      dir.set('new', { state: 'starting', since: 0, attempt: 1 });
      setTimeout(() => dir.set('new', RUNNING, fake), 10);
    },
  });
  const store = storeOf({});
  const cache = storedCacheOf(dir, store);
  const collected = await cache.collect(null, 2_000);
  assert.equal(demanded, 1);
  assert.deepEqual(collected.lists[0]?.list.items, [{ uri: 'n://1', name: '1' }]);
  await eventually(() => store.saved.includes('new'), 'the list stored for the next run');
  assert.deepEqual(store.load('new'), [{ uri: 'n://1', name: '1' }]);
});

test('once started, the real list replaces the stored one; changed is emitted only when they differ', async () => {
  const fake = await FakeUpstream.start({ resources: [{ uri: 'od://1', name: '1' }] });
  open.push(fake);
  const dir = new FakeDirectory();
  dir.set('od', IDLE, null, { demand: async () => {} });
  const cache = storedCacheOf(dir, storeOf({ od: [{ uri: 'od://1', name: '1' }] }));
  const changes: string[] = [];
  cache.on('changed', (server) => changes.push(server));
  dir.set('od', { state: 'starting', since: 0, attempt: 1 });
  assert.ok(cache.get('od'), 'the stored list stands in while it starts');
  dir.set('od', RUNNING, fake);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(changes, [], 'the same list: nothing to announce');
  // Stopped for idleness and started again with a different list: announced once.
  dir.set('od', IDLE);
  assert.equal(cache.get('od')?.index, 1, 'an idle server keeps its list');
  fake.resources.push({ uri: 'od://2', name: '2' });
  dir.set('od', RUNNING, fake);
  await eventually(() => cache.get('od')?.index === 2, 'the changed list');
  assert.deepEqual(changes, ['od']);
});

test('a list waiting on a server whose start fails answers as soon as it is down, not after the wait', async () => {
  const dir = new FakeDirectory();
  dir.set('bad', IDLE, null, {
    demand: async () => {
      dir.set('bad', { state: 'starting', since: 0, attempt: 1 });
      setTimeout(() => dir.set('bad', BACKOFF), 20);
    },
  });
  const cache = storedCacheOf(dir, storeOf({}));
  const started = performance.now();
  const collected = await cache.collect(null, 10_000);
  assert.ok(performance.now() - started < 5_000);
  assert.deepEqual(
    collected.unavailable.map((u) => u.server),
    ['bad'],
  );
});
