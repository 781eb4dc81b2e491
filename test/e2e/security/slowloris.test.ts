// Security catalogue T15: slow senders cannot hold the gateway's sockets, and do not slow down real clients.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { DEFAULT_HTTP_TIMEOUTS } from '../../../main/gateway/gateway-server.ts';
import { startBareGateway } from './bare-gateway.ts';
import { openSession, percentile, sleep, startCore, stillOpen, targetOf } from './mcp-session.ts';
import { openSse } from './raw-http.ts';

const SLOW_SOCKETS = 200;

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

test('T15 slowloris: 200 sockets trickling headers are closed within headersTimeout + 1 s; a normal client is served', async (t) => {
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
  while (
    slow.some((s) => s.closedAt === null) &&
    performance.now() - slow[0]!.openedAt < DEFAULT_HTTP_TIMEOUTS.headersMs + 3_000
  ) {
    during.push(await call(1_000 + i++));
    await sleep(20);
  }
  await waitUntilClosed(slow, 1_000);

  const lifetimes = slow.map((s) => (s.closedAt === null ? Number.POSITIVE_INFINITY : s.closedAt - s.openedAt));
  const longest = Math.max(...lifetimes);
  t.diagnostic(
    `slow sockets closed after ${Math.round(Math.min(...lifetimes))}-${Math.round(longest)} ms; ` +
      `tools/call p99 ${percentile(baseline, 99).toFixed(1)} ms before, ${percentile(during, 99).toFixed(1)} ms during ` +
      `(${during.length} calls)`,
  );
  assert.ok(
    longest <= DEFAULT_HTTP_TIMEOUTS.headersMs + 1_000,
    `every slow socket closed in time (longest ${Math.round(longest)} ms)`,
  );
  assert.ok(Math.min(...lifetimes) >= DEFAULT_HTTP_TIMEOUTS.headersMs - 100, 'and none long before headersTimeout');
  assert.ok(
    slow.every((s) => s.received === '' || s.received.startsWith('HTTP/1.1 408')),
    'answered 408 or closed',
  );
  assert.ok(during.length > 0, 'the normal client made calls while the slow sockets were open');
  assert.equal((await call(9_999)) >= 0, true, 'and still works after');
});

test('T15 a body trickled after complete headers is cut at requestTimeout; an open SSE response is not', async (t) => {
  const timeouts = { headersMs: 1_000, requestMs: 2_000, keepAliveMs: 5_000 };
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
  await waitUntilClosed([slow], timeouts.requestMs + 2_000);
  clearInterval(body);
  assert.ok(slow.closedAt !== null, 'the trickled body was cut');
  const lifetime = slow.closedAt - slow.openedAt;
  t.diagnostic(`trickled body cut after ${Math.round(lifetime)} ms (requestTimeout ${timeouts.requestMs} ms)`);
  assert.ok(lifetime <= timeouts.requestMs + 1_000, `cut at requestTimeout (${Math.round(lifetime)} ms)`);
  assert.ok(lifetime >= timeouts.requestMs - 100);

  assert.ok(await stillOpen(stream.ended, 100), 'the SSE response outlived requestTimeout');
});
