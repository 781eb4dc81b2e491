// Security catalogue T15: slow senders cannot hold the gateway's sockets, and do not slow down real clients.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { DEFAULT_HTTP_TIMEOUTS } from '../../../main/gateway/gateway-server.ts';
import { startBareGateway } from './bare-gateway.ts';
import { openSession, percentile, sleep, startCore, stillOpen, targetOf } from './mcp-session.ts';
import { openSse } from './raw-http.ts';

const SLOW_SOCKETS = 200;
/**
 * Only guards against hanging: how long a test waits for slow sockets to be cut. Far past the gateway's limits, far
 * short of Node's own (headersTimeout 60 s, requestTimeout 300 s), which would apply if the gateway's were lost.
 */
const CUT_WITHIN_MS = 30_000;
/** What Node writes when its request-timeout check cuts a request (headersTimeout or requestTimeout). */
const TIMEOUT_ANSWER = 'HTTP/1.1 408';

interface SlowSocket {
  readonly socket: Socket;
  readonly openedAt: number;
  closedAt: number | null;
  received: string;
}

/** Opens a socket that sends `text` one byte per second (its first byte at once), for as long as it stays open. */
function trickle(port: number, text: string): Promise<SlowSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      const slow: SlowSocket = { socket, openedAt: performance.now(), closedAt: null, received: '' };
      let at = 0;
      const send = (): void => {
        if (socket.destroyed || at >= text.length) return;
        socket.write(text[at]!);
        at += 1;
      };
      send();
      const timer = setInterval(send, 1_000);
      socket.on('data', (chunk: Buffer) => (slow.received += chunk.toString('latin1')));
      socket.on('error', () => {});
      socket.on('close', () => {
        clearInterval(timer);
        slow.closedAt = performance.now();
      });
      resolve(slow);
    });
  });
}

async function waitUntilClosed(sockets: readonly SlowSocket[], deadlineMs: number): Promise<void> {
  const until = performance.now() + deadlineMs;
  while (sockets.some((s) => s.closedAt === null) && performance.now() < until) await sleep(100);
}

test('T15 slowloris: 200 sockets trickling headers are cut by the headers timeout; a normal client is served', async (t) => {
  const h = await startCore(t);
  const port = targetOf(h).port;
  const client = await h.connect();
  const call = async (i: number): Promise<number> => {
    const started = performance.now();
    const result = await client.callTool({ name: 'echo__echo', arguments: { text: `call ${i}` } });
    assert.deepEqual(result.content, [{ type: 'text', text: `call ${i}` }]);
    return performance.now() - started;
  };
  const baseline: number[] = [];
  for (let i = 0; i < 50; i++) baseline.push(await call(i));

  const headers = `GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${h.token}\r\nX-Padding: ${'a'.repeat(64)}`;
  const slow = await Promise.all(Array.from({ length: SLOW_SOCKETS }, () => trickle(port, headers)));
  t.after(() => slow.forEach((s) => s.socket.destroy()));

  const during: number[] = [];
  let i = 0;
  while (slow.some((s) => s.closedAt === null) && performance.now() - slow[0]!.openedAt < CUT_WITHIN_MS) {
    during.push(await call(1_000 + i++));
    await sleep(20);
  }

  const lifetimes = slow.map((s) => (s.closedAt === null ? Number.POSITIVE_INFINITY : s.closedAt - s.openedAt));
  const answered = slow.filter((s) => s.received.startsWith(TIMEOUT_ANSWER)).length;
  t.diagnostic(
    `slow sockets closed after ${Math.round(Math.min(...lifetimes))}-${Math.round(Math.max(...lifetimes))} ms ` +
      `(headersTimeout ${DEFAULT_HTTP_TIMEOUTS.headersMs} ms), ${answered} answered 408; ` +
      `tools/call p99 ${percentile(baseline, 99).toFixed(1)} ms before, ${percentile(during, 99).toFixed(1)} ms during ` +
      `(${during.length} calls)`,
  );
  assert.equal(slow.filter((s) => s.closedAt === null).length, 0, 'every slow socket was cut');
  // Cut by Node's request-timeout check (408), before its own 60 s default could apply: the gateway's headersTimeout.
  assert.ok(answered > 0, 'the slow sockets were cut by the headers timeout');
  assert.ok(
    slow.every((s) => s.received === '' || s.received.startsWith(TIMEOUT_ANSWER)),
    'answered 408 or closed',
  );
  assert.ok(during.length > 0, 'the normal client made calls while the slow sockets were open');
  assert.equal((await call(9_999)) >= 0, true, 'and still works after');
});

test('T15 a body trickled after complete headers is cut by requestTimeout, not headersTimeout; an open SSE response is not', async (t) => {
  const timeouts = { headersMs: 1_000, requestMs: 5_000, keepAliveMs: 10_000 };
  const bare = await startBareGateway(timeouts);
  t.after(() => bare.close());
  const target = { port: bare.port, token: bare.token };
  const session = await openSession(target);
  const stream = await openSse(target, { headers: { 'mcp-session-id': session.id } });
  assert.equal(stream.status, 200);
  t.after(() => stream.close());

  const head =
    `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${bare.port}\r\nAuthorization: Bearer ${bare.token}\r\n` +
    'Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: 1000\r\n\r\n';
  const slow = await trickle(bare.port, '');
  slow.socket.write(head);
  const body = setInterval(() => slow.socket.write('{'), 1_000);
  t.after(() => clearInterval(body));
  // A witness trickling its headers, opened a while into the body: headersTimeout cuts it before requestTimeout can
  // cut the body; a body cut by headersTimeout (or anything as short) would be gone first. The server orders both.
  await sleep(2_000);
  const witness = await trickle(bare.port, `GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:${bare.port}\r\nX-Padding: aaaa`);
  t.after(() => witness.socket.destroy());
  let bodyOpenWhenHeadersCut: boolean | null = null;
  witness.socket.once('close', () => (bodyOpenWhenHeadersCut = slow.closedAt === null));
  await waitUntilClosed([slow, witness], CUT_WITHIN_MS);
  clearInterval(body);
  assert.ok(slow.closedAt !== null, 'the trickled body was cut');
  t.diagnostic(
    `trickled body cut after ${Math.round(slow.closedAt - slow.openedAt)} ms (requestTimeout ${timeouts.requestMs} ms)`,
  );
  // 408 from a request whose headers were complete: requestTimeout cut it, after headersTimeout had passed it by.
  assert.ok(slow.received.startsWith(TIMEOUT_ANSWER), `the body's socket got: ${JSON.stringify(slow.received)}`);
  assert.ok(witness.received.startsWith(TIMEOUT_ANSWER), `the witness got: ${JSON.stringify(witness.received)}`);
  assert.equal(bodyOpenWhenHeadersCut, true, 'the body was cut before the later witness: not by requestTimeout');

  assert.ok(await stillOpen(stream.ended, 100), 'the SSE response outlived requestTimeout');
});
