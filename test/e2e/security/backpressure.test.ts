// Security catalogue T16: a client that stops reading cannot make the gateway buffer without bound.
import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { STREAM_BUFFER_BYTES } from '../../../main/gateway/http/mcp-endpoint.ts';
import { fixtureServer } from '../../helpers/gateway-harness.ts';
import { MiB, rssPeak, settledHeap, settledRss } from './memory.ts';
import {
  audit,
  openSession,
  percentile,
  securityFixtureServer,
  sleep,
  startCore,
  targetOf,
  within,
} from './mcp-session.ts';
import { defaultHeaders, messagesOf, sseStream } from './raw-http.ts';

const COUNT = 1_600;
const SIZE = 64 * 1024;

test('T16 a client that never reads its SSE stream: the buffer cap bounds memory, drops are counted, others unaffected', async (t) => {
  const h = await startCore(t, { servers: { echo: fixtureServer('echo'), noisy: securityFixtureServer() } });
  const target = targetOf(h);
  const session = await openSession(target);
  const other = await h.connect();

  const heapBase = settledHeap();
  const base = settledRss();
  const sampler = rssPeak();
  // ~100 MB of progress notifications for one call, on a response the client does not read.
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
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
    req.on('response', resolve);
    req.on('error', reject);
    t.after(() => req.destroy());
    req.end(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'noisy__flood', arguments: { count: COUNT, size: SIZE }, _meta: { progressToken: 'flood' } },
      }),
    );
  });
  assert.equal(response.headers['content-type'], 'text/event-stream');

  // Meanwhile another client's calls are served.
  const latencies: number[] = [];
  const deadline = Date.now() + 60_000;
  while (
    Date.now() < deadline &&
    !audit(h, { method: 'tools/call', server: 'noisy' }).some((r) => r.target === 'flood')
  ) {
    const started = performance.now();
    const result = await other.callTool({ name: 'echo__echo', arguments: { text: 'meanwhile' } });
    latencies.push(performance.now() - started);
    assert.deepEqual(result.content, [{ type: 'text', text: 'meanwhile' }]);
    await sleep(10);
  }
  const growth = sampler.stop() - base;
  const [flood] = audit(h, { method: 'tools/call', server: 'noisy' });
  assert.equal(flood?.outcome, 'ok', 'the flooding call completed upstream');
  // What the gateway holds for the unread stream, with the ~100 MB that passed through collected: the cap, plus
  // what a session and a finished call keep. Peak RSS is printed only: it follows the garbage of 100 MB parsed and
  // re-serialized, which V8 collects but does not hand back to the OS at once.
  const retained = settledHeap() - heapBase;
  t.diagnostic(
    `${COUNT} x ${SIZE / 1024} KiB notifications to an unread stream: retained ${(retained / MiB).toFixed(1)} MiB, ` +
      `peak RSS growth ${(growth / MiB).toFixed(1)} MiB (cap ${STREAM_BUFFER_BYTES / MiB} MiB); ` +
      `other client ${latencies.length} calls, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
  );
  assert.ok(latencies.length > 0);
  assert.ok(retained < STREAM_BUFFER_BYTES + 16 * MiB, `the gateway holds ${(retained / MiB).toFixed(1)} MiB`);
  const overflow = h.logLines.find((l) => l.includes('is not reading its stream') && l.includes(session.id));
  assert.ok(overflow, 'the slow client is reported');
  assert.equal(h.logLines.filter((l) => l.includes('is not reading its stream')).length, 1, 'once, not per drop');

  // Now read what was kept: the oldest notifications in order, then the result, and nothing more.
  const stream = sseStream(response, () => response.destroy());
  response.resume();
  await within(stream.ended, 20_000, 'the end of the flooded stream');
  const messages = messagesOf(stream.events);
  const progress = messages.filter((m) => m.method === 'notifications/progress');
  const last = messages.at(-1) as { id?: number; result?: { content: { text: string }[] } };
  assert.equal(last.id, 1);
  assert.equal(last.result?.content[0]?.text, `sent ${COUNT}`, 'the result is never dropped');
  const seen = progress.map((m) => (m.params as { progress: number }).progress);
  assert.deepEqual(
    seen,
    seen.map((_, i) => i + 1),
    'kept notifications are the first ones, in order',
  );
  const kept = progress.length * SIZE;
  assert.ok(kept < STREAM_BUFFER_BYTES + 16 * MiB, `kept ${(kept / MiB).toFixed(1)} MiB: the cap plus socket buffers`);

  const deleted = await new Promise<number>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: target.port,
        method: 'DELETE',
        path: '/mcp',
        agent: false,
        headers: { authorization: `Bearer ${target.token}`, 'mcp-session-id': session.id },
      },
      (res) => resolve(res.statusCode ?? 0),
    );
    req.on('error', reject);
    req.end();
  });
  assert.equal(deleted, 204);
  const closed = h.logLines
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .find((l) => l.msg === 'session closed' && l.session === session.id);
  assert.ok(closed, 'the session close is logged with its counts');
  assert.equal(closed.overflowed, COUNT - progress.length, 'every dropped notification is counted');
});
