// Log levels per session and the delivery of server log messages, against a real SDK server joined in memory.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type { LoggingLevel, ServerNotification } from '@modelcontextprotocol/sdk/types.js';
import { InFlightRequests } from '../../../../main/gateway/aggregate/in-flight.ts';
import { LogRouter } from '../../../../main/gateway/aggregate/log-router.ts';
import { SessionRegistry, type SessionPeer } from '../../../../main/gateway/aggregate/session-registry.ts';
import { silentLogger } from '../../../../main/log/logger.ts';
import { FakeDirectory, FakeUpstream, RUNNING, eventually } from './fake-upstreams.ts';

const open: FakeUpstream[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
});

interface Peer extends SessionPeer {
  readonly got: ServerNotification[];
}

function peer(id: string, scope: string | null = null): Peer {
  const got: ServerNotification[] = [];
  return { id, scope, level: null, got, notify: async (n) => void got.push(n) };
}

async function setup(): Promise<{
  dir: FakeDirectory;
  fake: FakeUpstream;
  other: FakeUpstream;
  sessions: SessionRegistry;
  inFlight: InFlightRequests;
  router: LogRouter;
}> {
  const [fake, other] = await Promise.all([FakeUpstream.start(), FakeUpstream.start()]);
  open.push(fake, other);
  const dir = new FakeDirectory();
  dir.set('s', RUNNING, fake);
  dir.set('t', RUNNING, other);
  const sessions = new SessionRegistry();
  const inFlight = new InFlightRequests();
  return { dir, fake, other, sessions, inFlight, router: new LogRouter(dir, sessions, inFlight, silentLogger) };
}

const log = (level: LoggingLevel, data: string) => ({ level, data });

test('each server is set to the most verbose level asked by a session that sees it, and back when it leaves', async () => {
  const { fake, other, sessions, router } = await setup();
  const [a, b, scoped] = [peer('a'), peer('b'), peer('c', 't')];
  for (const p of [a, b, scoped]) sessions.add(p);
  await router.setLevel(a, 'error');
  assert.deepEqual(fake.levels, ['error']);
  await router.setLevel(b, 'info');
  await router.setLevel(scoped, 'debug');
  assert.deepEqual(fake.levels, ['error', 'info']);
  assert.deepEqual(other.levels, ['error', 'info', 'debug']);
  sessions.remove('b');
  router.sessionClosed(b);
  await eventually(() => fake.levels.at(-1) === 'error', 'the server back at error');
  sessions.remove('a');
  router.sessionClosed(a);
  await eventually(() => fake.levels.at(-1) === 'debug', 'the server back at everything');
  assert.equal(other.levels.at(-1), 'debug');
});

test('a server log with nobody waiting reaches every session that sees it, by level, named on /mcp', async () => {
  const { dir, sessions } = await setup();
  const [all, errorsOnly, scoped, elsewhere] = [peer('a'), peer('b'), peer('c', 's'), peer('d', 't')];
  errorsOnly.level = 'error';
  for (const p of [all, errorsOnly, scoped, elsewhere]) sessions.add(p);
  dir.emit('logMessage', 's', { ...log('info', 'hello'), logger: 'core' });
  dir.emit('logMessage', 's', log('critical', 'bad'));
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(
    all.got.map((n) => n.params),
    [
      { level: 'info', data: 'hello', logger: 's/core' },
      { level: 'critical', data: 'bad', logger: 's' },
    ],
  );
  assert.deepEqual(
    errorsOnly.got.map((n) => (n.params as { data: string }).data),
    ['bad'],
  );
  assert.deepEqual(
    scoped.got.map((n) => n.params),
    [
      { level: 'info', data: 'hello', logger: 'core' },
      { level: 'critical', data: 'bad' },
    ],
  );
  assert.deepEqual(elsewhere.got, []);
});

test('a log while one session waits goes to it alone, on the request’s stream; while two wait it is withheld', async () => {
  const { dir, sessions, inFlight, router } = await setup();
  const [a, b] = [peer('a'), peer('b')];
  sessions.add(a);
  sessions.add(b);
  const onRequest: ServerNotification[] = [];
  const settleA = inFlight.add('s', { session: 'a', notify: async (n) => void onRequest.push(n) });
  dir.emit('logMessage', 's', log('info', 'for a'));
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(onRequest.length, 1);
  assert.deepEqual(a.got, []);
  assert.deepEqual(b.got, []);
  // A second request of a's: the message still is a's, but no longer tied to one request.
  const settleA2 = inFlight.add('s', { session: 'a', notify: async () => assert.fail('sent on a request stream') });
  dir.emit('logMessage', 's', log('info', 'for a again'));
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(a.got.length, 1);
  const settleB = inFlight.add('s', { session: 'b', notify: async () => assert.fail('sent to b') });
  dir.emit('logMessage', 's', log('error', 'whose?'));
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(a.got.length, 1);
  assert.deepEqual(b.got, []);
  assert.equal(router.withheld, 1);
  // Waiting on another server changes nothing here.
  settleA();
  settleA2();
  settleB();
  const settleT = inFlight.add('t', { session: 'b', notify: async () => assert.fail('sent to b') });
  dir.emit('logMessage', 's', log('info', 'for all'));
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(a.got.length, 2);
  assert.equal(b.got.length, 1);
  settleT();
});

test('a log from an isolated server’s instance reaches its owner alone: its session, or its client’s sessions', async () => {
  const { dir, sessions, inFlight } = await setup();
  const owned = (id: string, client: string): Peer => ({ ...peer(id), client });
  const [a, a2, b] = [owned('a', 'alice'), owned('a2', 'alice'), owned('b', 'bob')];
  for (const p of [a, a2, b]) sessions.add(p);
  const ofSession = { key: 'session:a', owner: { kind: 'session' as const, id: 'a' } };
  const ofClient = { key: 'client:alice', owner: { kind: 'client' as const, id: 'alice' } };
  const data = (p: Peer) => p.got.map((n) => (n.params as { data: string }).data);

  // Nobody waiting: the owner's sessions, and nobody else, however many sessions see the server.
  dir.emit('logMessage', 's', log('info', 'session instance'), ofSession);
  dir.emit('logMessage', 's', log('info', 'client instance'), ofClient);
  assert.deepEqual(data(a), ['session instance', 'client instance']);
  assert.deepEqual(data(a2), ['client instance']);
  assert.deepEqual(data(b), []);

  // Requests waiting elsewhere (b on the shared connection) do not make an instance's message contested, and the
  // owner's one request waiting on the instance gets it on its own stream.
  const onRequest: string[] = [];
  const settleB = inFlight.add('s', { session: 'b', notify: async () => assert.fail('an instance’s log went to b') });
  const settleA = inFlight.add('s', {
    session: 'a',
    instance: ofSession.key,
    notify: async (n) => void onRequest.push((n.params as { data: string }).data),
  });
  dir.emit('logMessage', 's', log('info', 'during a’s call'), ofSession);
  assert.deepEqual(onRequest, ['during a’s call']);
  // The shared connection's message is b's, the only session waiting there; a's call is not on that connection.
  const sharedRequest: string[] = [];
  settleB();
  const settleB2 = inFlight.add('s', {
    session: 'b',
    notify: async (n) => void sharedRequest.push((n.params as { data: string }).data),
  });
  dir.emit('logMessage', 's', log('info', 'from the shared connection'));
  assert.deepEqual(sharedRequest, ['from the shared connection']);
  assert.deepEqual(data(a), ['session instance', 'client instance']);
  settleA();
  settleB2();
});
