// Security catalogue, section B, T58: cancellation follows the client's era. Modern: closing the response stream is
// the cancel, and the upstream hears it. Legacy: a dropped TCP connection is not a cancel (the call runs to its end
// and the result is discarded); notifications/cancelled cancels exactly the request it names. How soon the upstream
// hears it is only reported here (the fixture writes its receipt time); speed is for `npm run bench`.
import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import { isRunning, startHarness, type Harness } from '../../helpers/gateway-harness.ts';
import { waitUntil } from '../gateway/support.ts';
import { rawRequest, type Target } from '../security/raw-http.ts';
import { audit, openSession, sleep, targetOf, type OpenedSession } from '../security/mcp-session.ts';
import {
  cancellations,
  connectModern,
  envelope,
  modernBody,
  modernFixtureServer,
  modernPost,
  openModern,
  openPost,
  resultOf,
  upstreamCalls,
  type Cancellation,
} from './modern-http.ts';

/** Only a guard against hanging; the sleeps cancelled here would otherwise run 10 s and end without a cancel. */
const HEARD_WITHIN_MS = 20_000;

let h: Harness;
let target: Target;

before(async () => {
  h = await startHarness({ servers: { fx: modernFixtureServer() } });
  await h.waitForState('fx', isRunning);
  target = targetOf(h);
});
after(() => h.close());

/** Resolves once the upstream has received `count` more sleep calls than `before`. */
async function upstreamRunning(before: number, count = 1): Promise<void> {
  await waitUntil(
    async () => ((await upstreamCalls(target)).sleep ?? 0) >= before + count,
    'the call to reach the upstream',
  );
}

/** Checks nothing was cancelled yet and returns the client's cancel time; call it right before cancelling. */
function beforeCancel(seen: number, what: string): number {
  assert.equal(cancellations(h, 'fx').length, seen, `${what}: the upstream heard a cancel before the client's`);
  return Date.now();
}

/** Waits for the next cancellation the upstream records after `seen` of them, and reports how long it took. */
async function nextCancellation(
  t: TestContext,
  seen: number,
  cancelledAt: number,
  what: string,
): Promise<Cancellation> {
  const cancelled = await waitUntil(
    () => cancellations(h, 'fx')[seen],
    `${what}: the upstream to record the cancel`,
    HEARD_WITHIN_MS,
  );
  t.diagnostic(`${what}: the upstream heard the cancel ${cancelled.at - cancelledAt} ms after the client's`);
  assert.equal(cancelled.tool, 'sleep', `${what}: the cancelled call`);
  return cancelled;
}

async function lastOutcome(tool: string): Promise<string> {
  const record = await waitUntil(
    () => audit(h, { method: 'tools/call' }).find((r) => r.target === tool && r.outcome !== 'ok'),
    `the ${tool} call to be audited`,
  );
  return record.outcome;
}

test('T58 modern: closing a response that has not started is the cancel; the upstream hears it', async (t) => {
  const calls = (await upstreamCalls(target)).sleep ?? 0;
  const seen = cancellations(h, 'fx').length;
  const open = openModern(target, modernBody('tools/call', { name: 'fx__sleep', arguments: { ms: 10_000 } }));
  await upstreamRunning(calls);
  const cancelledAt = beforeCancel(seen, 'plain JSON answer');
  open.request.destroy();
  const cancelled = await nextCancellation(t, seen, cancelledAt, 'plain JSON answer');
  assert.equal(cancelled.tool, 'sleep');
  assert.equal(await lastOutcome('sleep'), 'cancelled');
});

test('T58 modern: closing a response stream mid-way is the cancel, for that request only', async (t) => {
  const seen = cancellations(h, 'fx').length;
  const other = modernPost(target, modernBody('tools/call', { name: 'fx__sleep', arguments: { ms: 1_500 } }));
  const body = modernBody(
    'tools/call',
    { name: 'fx__sleep', arguments: { ms: 10_000 } },
    envelope({ progressToken: 7 }),
  );
  const stream = await openModern(target, body).response;
  assert.equal(stream.status, 200);
  await stream.waitFor((e) => e.data.includes('notifications/progress'), 5_000);
  const cancelledAt = beforeCancel(seen, 'SSE answer');
  stream.close();
  await nextCancellation(t, seen, cancelledAt, 'SSE answer');
  // The other request, on its own exchange, is untouched.
  assert.deepEqual(resultOf(await other).content, [{ type: 'text', text: 'slept 1500 ms' }]);
  assert.equal(cancellations(h, 'fx').length, seen + 1, 'exactly one request was cancelled');
});

test('T58 modern: an SDK 2.x client aborting its call cancels it upstream', async (t) => {
  const client = await connectModern(t, h);
  const calls = (await upstreamCalls(target)).sleep ?? 0;
  const seen = cancellations(h, 'fx').length;
  const controller = new AbortController();
  const call = client.callTool({ name: 'fx__sleep', arguments: { ms: 10_000 } }, { signal: controller.signal });
  await upstreamRunning(calls);
  const cancelledAt = beforeCancel(seen, 'SDK 2.x client');
  controller.abort('the user pressed stop');
  await assert.rejects(call);
  await nextCancellation(t, seen, cancelledAt, 'SDK 2.x client');
});

/** A legacy tools/call on `session`, sent raw so the test can drop its connection. */
function legacyCall(session: OpenedSession, id: string, ms: number): ReturnType<typeof openPost> {
  const body = { id, method: 'tools/call', params: { name: 'fx__sleep', arguments: { ms } } };
  return openPost(target, body, { 'mcp-session-id': session.id, 'mcp-protocol-version': session.protocolVersion });
}

test('T58 legacy: dropping the connection mid-call does not cancel upstream; the call runs to its end', async () => {
  const session = await openSession(target);
  const calls = (await upstreamCalls(target)).sleep ?? 0;
  const seen = cancellations(h, 'fx').length;
  const auditedBefore = audit(h, { method: 'tools/call' }).filter((r) => r.protocolVersion === '2025-11-25').length;
  const open = legacyCall(session, 'dropped', 700);
  await upstreamRunning(calls);
  open.request.destroy();
  await waitUntil(
    () => audit(h, { method: 'tools/call' }).filter((r) => r.protocolVersion === '2025-11-25').length > auditedBefore,
    'the dropped call to finish upstream',
  );
  const record = audit(h, { method: 'tools/call' }).find(
    (r) => r.protocolVersion === '2025-11-25' && r.target === 'sleep',
  );
  assert.equal(record?.outcome, 'ok', 'the call ran to its end');
  assert.equal(cancellations(h, 'fx').length, seen, 'the upstream was not told to cancel');
});

test('T58 legacy: notifications/cancelled cancels exactly the request it names', async (t) => {
  const session = await openSession(target);
  const calls = (await upstreamCalls(target)).sleep ?? 0;
  const seen = cancellations(h, 'fx').length;
  const doomed = legacyCall(session, 'doomed', 10_000);
  const kept = rawRequest(target, {
    headers: { 'mcp-session-id': session.id, 'mcp-protocol-version': session.protocolVersion },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 'kept',
      method: 'tools/call',
      params: { name: 'fx__sleep', arguments: { ms: 1_200 } },
    }),
  });
  await upstreamRunning(calls, 2);
  const cancelledAt = beforeCancel(seen, 'notifications/cancelled');
  const sent = await rawRequest(target, {
    headers: { 'mcp-session-id': session.id, 'mcp-protocol-version': session.protocolVersion },
    body: JSON.stringify({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: 'doomed', reason: 'the user pressed stop' },
    }),
  });
  assert.equal(sent.status, 202);
  await nextCancellation(t, seen, cancelledAt, 'notifications/cancelled');
  assert.deepEqual(resultOf(await kept).content, [{ type: 'text', text: 'slept 1200 ms' }]);
  await sleep(100);
  assert.equal(cancellations(h, 'fx').length, seen + 1, 'only the named request was cancelled');
  doomed.request.destroy();
});
