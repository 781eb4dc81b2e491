// Security catalogue T62 and T63, with raw HTTP so the JSON-RPC ids and progress tokens are exactly what the test
// says: ids and progress tokens belong to one hop (two sessions may both use id 1 and token "p"), a cancel reaches
// only the upstream request it caused, stray progress from a server reaches nobody, an id reused while its request
// is in flight is refused, and the gateway does not advertise tasks it does not offer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { gatewayFixtureServer, type Harness } from '../../helpers/gateway-harness.ts';
import { waitUntil } from '../gateway/support.ts';
import { openPost } from '../modern/modern-http.ts';
import {
  initializeBody,
  openSession,
  rpc,
  securityFixtureServer,
  startCore,
  targetOf,
  type OpenedSession,
} from './mcp-session.ts';
import { jsonOf, messagesOf, openSse, rawRequest, rpcError, type SseStream, type Target } from './raw-http.ts';

/** A request on the session whose answer is read as a stream, once it has begun. */
function streamed(target: Target, session: OpenedSession, message: Record<string, unknown>): Promise<SseStream> {
  return openPost(target, message, sessionHeaders(session)).response;
}

/** What the gateway fixture logged of its `tool` calls: `received` or `cancelled`. */
const logged = (h: Harness, what: 'received' | 'cancelled', tool: string): string[] =>
  h.core.supervisor
    .get('gw')!
    .stderrTail(2_000)
    .filter((line) => line.startsWith(`${what} ${tool} `));
const cancellations = (h: Harness): string[] => logged(h, 'cancelled', 'hang');

test('T62 two sessions using id 1 and progress token "p" each get their own result and progress', async (t) => {
  const h = await startCore(t, { servers: { gw: gatewayFixtureServer() } });
  const target = targetOf(h);
  const [a, b] = await Promise.all([openSession(target), openSession(target)]);
  const call = (count: number) => ({
    id: 1,
    method: 'tools/call',
    params: { name: 'gw__progress', arguments: { count, intervalMs: 30 }, _meta: { progressToken: 'p' } },
  });
  const [streamA, streamB] = await Promise.all([streamed(target, a!, call(3)), streamed(target, b!, call(5))]);
  await Promise.all([streamA.ended, streamB.ended]);
  for (const [stream, count] of [
    [streamA, 3],
    [streamB, 5],
  ] as const) {
    const messages = messagesOf(stream.events);
    const progress = messages.filter((m) => m.method === 'notifications/progress');
    assert.deepEqual(
      progress.map((m) => m.params),
      Array.from({ length: count }, (_, i) => ({ progressToken: 'p', progress: i + 1, total: count })),
      'every step of its own call under its own token, none of the other',
    );
    const results = messages.filter((m) => 'result' in m || 'error' in m);
    assert.deepEqual(results, [
      { jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: `sent ${count} progress notifications` }] } },
    ]);
  }
});

test('T62 a cancel from one session cancels only the upstream request it caused, though both used id 2', async (t) => {
  const h = await startCore(t, { servers: { gw: gatewayFixtureServer() } });
  const target = targetOf(h);
  const [a, b] = await Promise.all([openSession(target), openSession(target)]);
  const hang = { id: 2, method: 'tools/call', params: { name: 'gw__hang', arguments: {} } };
  // The answers of a call that never ends have not even begun; the requests are held open and closed at the end.
  const [callA, callB] = [a!, b!].map((s) => openPost(target, hang, sessionHeaders(s)));
  t.after(() => [callA, callB].forEach((c) => c!.request.destroy()));
  await waitUntil(() => logged(h, 'received', 'hang').length === 2, 'both calls to reach the server');
  const cancel = (session: OpenedSession) =>
    rpc(
      target,
      session,
      '',
      {},
      {
        body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 2 } }),
      },
    );
  assert.equal((await cancel(a!)).status, 202);
  await waitUntil(() => cancellations(h).length === 1, "a's cancellation to reach the server");

  assert.equal((await cancel(b!)).status, 202);
  await waitUntil(() => cancellations(h).length === 2, "b's cancellation to reach the server");
  const [first, second] = cancellations(h).map((line) => /request=(\S+)/.exec(line)?.[1]);
  assert.notEqual(first, second, 'two upstream requests, each cancelled once');
  assert.ok(/reason=.*(cancel|Cancel)/.test(cancellations(h)[1]!), "b's call ran until b cancelled it");
});

test('T62 progress for a finished or unknown token reaches no session', async (t) => {
  const h = await startCore(t, { servers: { sec: securityFixtureServer() } });
  const target = targetOf(h);
  const session = await openSession(target);
  const listening = await openSse(target, {
    headers: { 'mcp-session-id': session.id, 'mcp-protocol-version': session.protocolVersion },
  });
  t.after(() => listening.close());
  const answered = await streamed(target, session, {
    id: 1,
    method: 'tools/call',
    params: { name: 'sec__stray-progress', arguments: {}, _meta: { progressToken: 1 } },
  });
  await answered.ended;
  // The stray notifications leave the server 20 ms after its answer; a call made after that has been read
  // proves they have been through the gateway.
  await sleep(200);
  const after = await rpc(target, session, 'tools/call', { name: 'sec__calls', arguments: {} });
  assert.equal(after.status, 200);
  const everything = [...messagesOf(answered.events), ...messagesOf(listening.events)];
  assert.deepEqual(
    everything.filter((m) => m.method === 'notifications/progress'),
    [],
    'no progress after the answer, on the call stream or the standalone one',
  );
  assert.ok(
    h.core.supervisor
      .get('sec')!
      .stderrTail(100)
      .every((line) => !line.includes('never-issued')),
  );
});

test('T62 an id reused while its request is in flight is refused with -32600; once answered it is free', async (t) => {
  const h = await startCore(t, { servers: { gw: gatewayFixtureServer() } });
  const target = targetOf(h);
  const session = await openSession(target);
  const body = { id: 7, method: 'tools/call', params: { name: 'gw__sleep', arguments: { ms: 1_500 } } };
  const first = rawRequest(target, {
    headers: sessionHeaders(session),
    body: JSON.stringify({ jsonrpc: '2.0', ...body }),
  });
  await waitUntil(() => logged(h, 'received', 'sleep').length === 1, 'the first call to reach the server');
  const reused = await rpc(target, session, 'tools/call', echoOf('again'), { id: 7 });
  const error = rpcError(reused);
  assert.equal(error.code, -32600);
  assert.match(error.message, /7/);
  assert.deepEqual(jsonOf(await first), {
    jsonrpc: '2.0',
    id: 7,
    result: { content: [{ type: 'text', text: 'slept 1500 ms' }] },
  });
  const again = await rpc(target, session, 'tools/call', echoOf('again'), { id: 7 });
  assert.deepEqual(jsonOf(again).result, { content: [{ type: 'text', text: 'again' }] });
});

test('T63 the gateway offers no tasks, so it advertises none and tasks/* are unknown methods', async (t) => {
  const h = await startCore(t);
  const target = targetOf(h);
  const init = await rawRequest(target, { body: initializeBody() });
  const capabilities = (jsonOf(init).result as { capabilities: Record<string, unknown> }).capabilities;
  assert.ok(capabilities.tools !== undefined, 'the capabilities are there');
  assert.equal(capabilities.tasks, undefined);
  const session = await openSession(target);
  for (const method of ['tasks/get', 'tasks/result', 'tasks/cancel', 'tasks/list']) {
    const error = rpcError(await rpc(target, session, method, { taskId: 'x' }));
    assert.equal(error.code, -32601, method);
  }
});

function sessionHeaders(session: OpenedSession): Record<string, string> {
  return { 'mcp-session-id': session.id, 'mcp-protocol-version': session.protocolVersion };
}

function echoOf(text: string): Record<string, unknown> {
  return { name: 'gw__echo', arguments: { text } };
}
