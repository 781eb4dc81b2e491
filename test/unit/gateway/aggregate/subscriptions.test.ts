// Reference-counted resource subscriptions against a real SDK server joined in memory.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { CallError } from '../../../../main/gateway/aggregate/call-error.ts';
import { InFlightRequests } from '../../../../main/gateway/aggregate/in-flight.ts';
import { SubscriptionHub } from '../../../../main/gateway/aggregate/subscriptions.ts';
import { silentLogger } from '../../../../main/log/logger.ts';
import { BACKOFF, FakeDirectory, FakeUpstream, RUNNING, eventually } from './fake-upstreams.ts';

const open: FakeUpstream[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
});

async function setup(): Promise<{ dir: FakeDirectory; fake: FakeUpstream; hub: SubscriptionHub }> {
  const fake = await FakeUpstream.start();
  open.push(fake);
  const dir = new FakeDirectory();
  dir.set('s', RUNNING, fake);
  return { dir, fake, hub: new SubscriptionHub(dir, new InFlightRequests(), silentLogger) };
}

function inbox(): { got: string[]; deliver: (uri: string) => void } {
  const got: string[] = [];
  return { got, deliver: (uri) => void got.push(uri) };
}

const route = { server: 's', uri: 'x://1' };

test('the first subscriber subscribes upstream, the last one unsubscribes; updates reach subscribers only', async () => {
  const { dir, fake, hub } = await setup();
  const [a, b, c] = [inbox(), inbox(), inbox()];
  await Promise.all([
    hub.subscribe({ id: 'a' }, route, 'x://1', a.deliver),
    hub.subscribe({ id: 'b' }, route, 'switchboard+s+x://1', b.deliver),
    hub.subscribe({ id: 'c' }, { server: 's', uri: 'x://2' }, 'x://2', c.deliver),
  ]);
  assert.equal(fake.count('subscribe x://1'), 1);
  assert.equal(hub.upstreamCount, 2);
  dir.emit('resourceUpdated', 's', 'x://1');
  assert.deepEqual(a.got, ['x://1']);
  assert.deepEqual(b.got, ['switchboard+s+x://1'], 'an update goes out under the URI the session used');
  assert.deepEqual(c.got, []);
  await hub.unsubscribe('a', route);
  assert.equal(fake.count('unsubscribe x://1'), 0);
  dir.emit('resourceUpdated', 's', 'x://1');
  assert.deepEqual(a.got, ['x://1']);
  await hub.unsubscribeExposed('b', 'switchboard+s+x://1');
  assert.equal(fake.count('unsubscribe x://1'), 1);
  assert.deepEqual(hub.subscribers('s', 'x://1'), []);
  await hub.subscribe({ id: 'a' }, route, 'x://1', a.deliver);
  assert.equal(fake.count('subscribe x://1'), 2, 'a new first subscriber subscribes again');
});

test('a closed session’s subscriptions are released; a restarted server is subscribed again', async () => {
  const { dir, fake, hub } = await setup();
  await hub.subscribe({ id: 'a' }, route, 'x://1', () => {});
  await hub.subscribe({ id: 'b' }, route, 'x://1', () => {});
  hub.dropSession('a');
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(fake.count('unsubscribe x://1'), 0);
  dir.set('s', BACKOFF);
  assert.equal(hub.upstreamCount, 0);
  const fresh = await FakeUpstream.start();
  open.push(fresh);
  dir.set('s', RUNNING, fresh);
  await eventually(() => fresh.count('subscribe x://1') === 1, 'the subscription on the new connection');
  hub.dropSession('b');
  await eventually(() => fresh.count('unsubscribe x://1') === 1, 'the unsubscribe after the last session');
  assert.equal(fake.count('unsubscribe x://1'), 0, 'the old connection was asked');
});

test('a server without subscriptions, or one that is down, refuses with a reason and keeps nothing', async () => {
  const plain = await FakeUpstream.start({ capabilities: { resources: {} } });
  open.push(plain);
  const dir = new FakeDirectory();
  dir.set('p', RUNNING, plain);
  dir.set('down', BACKOFF);
  const hub = new SubscriptionHub(dir, new InFlightRequests(), silentLogger);
  await assert.rejects(
    hub.subscribe({ id: 'a' }, { server: 'p', uri: 'x://1' }, 'x://1', () => {}),
    (error: unknown) => error instanceof CallError && error.code === -32601 && /does not support/.test(error.message),
  );
  await assert.rejects(
    hub.subscribe({ id: 'a' }, { server: 'down', uri: 'x://1' }, 'x://1', () => {}),
    (error: unknown) => error instanceof CallError && error.code === -32003 && /is backoff/.test(error.message),
  );
  assert.deepEqual(hub.subscribers('p', 'x://1'), []);
  assert.equal(hub.upstreamCount, 0);
});

test('a session holds at most maxPerSession subscriptions; a refused one changes nothing upstream', async () => {
  const fake = await FakeUpstream.start();
  open.push(fake);
  const dir = new FakeDirectory();
  dir.set('s', RUNNING, fake);
  const hub = new SubscriptionHub(dir, new InFlightRequests(), silentLogger, { maxPerSession: 2 });
  await hub.subscribe({ id: 'a' }, { server: 's', uri: 'x://1' }, 'x://1', () => {});
  await hub.subscribe({ id: 'a' }, { server: 's', uri: 'x://2' }, 'x://2', () => {});
  await hub.subscribe({ id: 'a' }, { server: 's', uri: 'x://2' }, 'x://2', () => {});
  await assert.rejects(
    hub.subscribe({ id: 'a' }, { server: 's', uri: 'x://3' }, 'x://3', () => {}),
    (error: unknown) => error instanceof CallError && error.code === -32001 && /limit per session/.test(error.message),
  );
  await hub.subscribe({ id: 'b' }, { server: 's', uri: 'x://3' }, 'x://3', () => {});
  assert.equal(fake.count('subscribe x://3'), 1);
  assert.deepEqual(hub.subscribers('s', 'x://3'), ['b']);
});
