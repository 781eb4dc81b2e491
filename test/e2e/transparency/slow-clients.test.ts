// One slow or stuck client does not delay the others: a session that never reads its GET stream while a server
// floods every session with log messages, and a session whose call hangs. A client that goes away in the middle
// of a call (its session deleted, or expired after its connection dropped) has the upstream work cancelled.
import assert from 'node:assert/strict';
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { after, before, describe, test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Harness } from '../../helpers/gateway-harness.ts';
import { asMcpError, report, timed, waitUntil } from '../gateway/support.ts';
import { openSession, percentile, rpc, targetOf } from '../security/mcp-session.ts';
import { defaultHeaders } from '../security/raw-http.ts';
import { Session, startTransparency, stderrOf } from './support.ts';

/** Makes `count` calls one after another, checks each answer is its own, and returns how long each took. */
async function echoTimes(session: Session, count: number, tool: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const echo = tool === 'everything__echo';
    const result = await session.client.callTool({ name: tool, arguments: echo ? { message: `m${i}` } : { ms: 0 } });
    assert.deepEqual(result.content, [{ type: 'text', text: echo ? `Echo: m${i}` : 'slept 0 ms' }]);
    times.push(performance.now() - started);
  }
  return times;
}

function summary(times: number[]): string {
  return `p50 ${percentile(times, 50).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms`;
}

describe('slow and stuck clients', () => {
  let h: Harness;

  before(async () => {
    h = await startTransparency();
  });
  after(() => h.close());

  test('a session that never reads its GET stream does not hold up others while a server floods', async (t) => {
    const target = targetOf(h);
    const stuck = await openSession(target);
    assert.equal((await rpc(target, stuck, 'logging/setLevel', { level: 'debug' })).status, 200);
    // The stuck client's GET stream: opened, then never read, so the gateway's writes to it back up.
    const stream = await new Promise<{ req: ClientRequest; res: IncomingMessage }>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port: target.port,
        method: 'GET',
        path: '/mcp',
        agent: false,
        headers: {
          ...defaultHeaders(target),
          accept: 'text/event-stream',
          'mcp-session-id': stuck.id,
          'mcp-protocol-version': stuck.protocolVersion,
        },
      });
      req.on('response', (res) => {
        res.pause();
        resolve({ req, res });
      });
      req.on('error', reject);
      req.end();
    });
    t.after(() => stream.req.destroy());
    assert.equal(stream.res.statusCode, 200);

    const [busy, other] = await Promise.all([Session.open(h, { name: 'busy' }), Session.open(h, { name: 'other' })]);
    // These two filter the flood out themselves; only the stuck session takes it all.
    await Promise.all([busy.client.setLoggingLevel('error'), other.client.setLoggingLevel('error')]);
    const baseline = await echoTimes(other, 10, 'everything__echo');

    // The flood starts once the call has returned, with nobody waiting on the server, so it goes to every
    // session (a call to the server meanwhile would make it that caller's alone).
    // The gateway passes on at most 100 log messages a second of one server (T84), so they are large and spread
    // over three seconds: about 400 of them pass, 40 MB, several times the stuck stream's 8 MiB cap plus what the
    // kernel's socket buffers take in before the writes back up into the gateway (4 MiB of send buffer here).
    const count = 600;
    const started = performance.now();
    await busy.client.callTool({ name: 'twin__flood', arguments: { count, bytes: 100_000, burst: 20, everyMs: 100 } });
    const during = await echoTimes(other, 20, 'everything__echo');
    await waitUntil(() => stderrOf(h, 'twin').includes('flood done'), 'the flood to end', 30_000);
    report(t, `flood of ${count} x 100 kB log messages written by the server after`, performance.now() - started);
    await waitUntil(
      () => h.logLines.some((l) => l.includes('a client is not reading its stream')),
      'the gateway to report the stuck stream',
      20_000,
    );
    report(t, 'the stuck stream reported after', performance.now() - started);
    const after = await echoTimes(busy, 20, 'twin__sleep');
    report(t, 'echo to everything, baseline', summary(baseline));
    report(t, 'echo to everything, during the flood', summary(during));
    report(t, 'calls to the flooding server, once it is done', summary(after));
    // Every call above was answered (echoTimes checks each) while the stuck stream stayed open and unread: a gateway
    // that waited for that stream to drain would never have answered them.
    assert.equal(stream.res.destroyed, false, 'the stuck stream is still open');
    // The stuck session is still served: its requests are answered even though its stream is full.
    const answered = await timed(() => rpc(target, stuck, 'ping'));
    report(t, 'a ping on the stuck session', answered.ms);
    assert.equal(answered.value?.status, 200);
  });

  test('a session whose call hangs does not delay another’s; deleting it cancels the call upstream', async (t) => {
    const [hung, other] = await Promise.all([Session.open(h, { name: 'hung' }), Session.open(h, { name: 'other' })]);
    const cancelledBefore = stderrOf(h, 'twin').filter((l) => l.startsWith('cancelled hang')).length;
    let hangSettled = false;
    const hanging = timed(() => hung.client.callTool({ name: 'twin__hang', arguments: {} })).finally(
      () => (hangSettled = true),
    );
    const times = await echoTimes(other, 20, 'twin__sleep');
    report(t, 'calls to the same server while another session’s call hangs', summary(times));
    // All answered while the hung call still waits: none of them queued behind it.
    assert.equal(hangSettled, false, 'the hung call settled before the other session’s calls were answered');

    const deleted = performance.now();
    await (hung.client.transport as StreamableHTTPClientTransport).terminateSession();
    const outcome = await hanging;
    report(t, 'the hung call settled after its session was deleted', performance.now() - deleted);
    report(t, 'the hung caller sees', asMcpError(outcome.error).message);
    await waitUntil(
      () => stderrOf(h, 'twin').filter((l) => l.startsWith('cancelled hang')).length > cancelledBefore,
      'the upstream to hear the cancellation',
    );
    report(t, 'upstream cancelled after the DELETE', performance.now() - deleted);
    await hung.client.close();
  });
});

describe('a client that disconnects mid-call and never comes back', () => {
  const IDLE_MS = 1_000;
  let h: Harness;

  before(async () => {
    h = await startTransparency({ gateway: { sessionIdleMs: IDLE_MS } });
  });
  after(() => h.close());

  test('its session expires and the upstream call is cancelled', async (t: TestContext) => {
    const target = targetOf(h);
    const session = await openSession(target);
    const cancelledBefore = stderrOf(h, 'twin').filter((l) => l.startsWith('cancelled hang')).length;
    // The call's POST is cut at the socket: no notifications/cancelled, no DELETE, as when a laptop sleeps.
    const req = request({
      host: '127.0.0.1',
      port: target.port,
      method: 'POST',
      path: '/mcp',
      agent: false,
      headers: {
        ...defaultHeaders(target),
        'mcp-session-id': session.id,
        'mcp-protocol-version': session.protocolVersion,
      },
    });
    req.on('error', () => {});
    req.end(
      JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'twin__hang', arguments: {} } }),
    );
    await sleep(300);
    const dropped = performance.now();
    req.destroy();
    const sessionClosed = (): boolean =>
      h.logLines.some((l) => l.includes('"session closed"') && l.includes(`"session":"${session.id}"`));
    // Cancellation is read first, then the session: once closed it stays closed, so "cancelled while open" is exact.
    let cancelledWhileOpen = false;
    await waitUntil(
      () => {
        const cancelled = stderrOf(h, 'twin').filter((l) => l.startsWith('cancelled hang')).length > cancelledBefore;
        if (cancelled && !sessionClosed()) cancelledWhileOpen = true;
        return cancelled;
      },
      'the upstream call to be cancelled',
      IDLE_MS * 10,
    );
    report(
      t,
      `upstream cancelled after the connection dropped (sessionIdleMs ${IDLE_MS})`,
      performance.now() - dropped,
    );
    assert.equal(cancelledWhileOpen, false, 'the upstream call was cancelled before its session expired');
    const gone = await rpc(target, session, 'ping');
    assert.equal(gone.status, 404);
  });
});
