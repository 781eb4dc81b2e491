// Security catalogue T16 and T83: a client that stops reading, or reads slowly, cannot make the gateway buffer
// without bound, nor hold up other clients of the same upstream. What one SSE stream may hold unread is capped at
// STREAM_BUFFER_BYTES: notifications past it are dropped and counted, and a result that does not fit fails its call
// with an error naming the limit (docs/limits.md).
import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import { test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { STREAM_BUFFER_BYTES } from '../../../main/gateway/http/mcp-endpoint.ts';
import { fixtureServer } from '../../helpers/gateway-harness.ts';
import { MiB, rssPeak, settledHeap, settledRss } from './memory.ts';
import {
  audit,
  openSession,
  percentile,
  postOnSession,
  securityFixtureServer,
  sleep,
  startCore,
  targetOf,
  within,
  type OpenedSession,
} from './mcp-session.ts';
import { defaultHeaders, messagesOf, sseStream, type Target } from './raw-http.ts';

// 100 MB of progress, paced at 25 a second: about what the progress rate (PROGRESS_PER_SECOND, T84) forwards, so
// nearly all of it is offered to the unread stream and the stream's cap is what bounds it.
const COUNT = 100;
const SIZE = MiB;
const EVERY_MS = 40;

test('T16 a client that never reads its SSE stream: the buffer cap bounds memory, drops are counted, the call fails naming the cap, others unaffected', async (t) => {
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
        params: {
          name: 'noisy__flood',
          arguments: { count: COUNT, size: SIZE, everyMs: EVERY_MS },
          _meta: { progressToken: 'flood' },
        },
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
  // The result came while the stream held more than the cap unread: the call fails, naming the limit.
  assert.equal(flood?.outcome, 'protocol-error', `the flooding call failed at the stream cap: ${flood?.error}`);
  assert.ok(flood.error?.includes(`of the ${STREAM_BUFFER_BYTES} one stream may hold`), flood.error ?? '');
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

  // Now read what was kept: the oldest notifications in order, then the error that ended the call, nothing more.
  const stream = sseStream(response, () => response.destroy());
  response.resume();
  await within(stream.ended, 20_000, 'the end of the flooded stream');
  const messages = messagesOf(stream.events);
  const progress = messages.filter((m) => m.method === 'notifications/progress');
  const last = messages.at(-1) as { id?: number; error?: { code: number; data?: { limit?: number } } };
  assert.equal(last.id, 1);
  assert.equal(last.error?.code, -32002, 'the call ends with an error');
  assert.equal(last.error.data?.limit, STREAM_BUFFER_BYTES, 'naming the cap');
  const seen = progress.map((m) => (m.params as { progress: number }).progress);
  assert.equal(seen[0], 1, 'kept notifications start with the first');
  assert.ok(
    seen.every((p, i) => i === 0 || p > seen[i - 1]!),
    'and are in order (past the progress rate, not all of them are forwarded: T84)',
  );
  assert.ok(seen.length < COUNT, 'notifications past the cap were dropped');
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
  const coalesced = (flood.detail?.progressDropped as number | undefined) ?? 0;
  assert.equal(
    (closed.overflowed as number) + coalesced,
    COUNT - progress.length,
    'every notification not delivered is counted: past the cap on the session, past the rate on the call',
  );
  assert.ok((closed.overflowed as number) > 0, 'the cap was reached');
});

/** Reads `res` at about `bytesPerSecond`, keeping what it read; `stop` ends the reading and the connection. */
function slowReader(
  res: IncomingMessage,
  bytesPerSecond: number,
): { text(): string; bytes(): number; ended: Promise<void>; isEnded(): boolean; stop(): void } {
  const chunks: Buffer[] = [];
  let bytes = 0;
  let ended = false;
  res.pause();
  const timer = setInterval(() => {
    const chunk =
      res.readableLength > 0 ? (res.read(Math.min(bytesPerSecond / 10, res.readableLength)) as Buffer) : null;
    if (chunk === null) res.read(0);
    else {
      bytes += chunk.length;
      if (bytes < 1024 * 1024) chunks.push(chunk);
    }
  }, 100);
  const done = new Promise<void>((resolve) => {
    const end = (): void => {
      ended = true;
      clearInterval(timer);
      resolve();
    };
    res.once('end', end);
    res.once('close', end);
  });
  return {
    text: () => Buffer.concat(chunks).toString('utf8'),
    bytes: () => bytes,
    ended: done,
    isEnded: () => ended,
    stop() {
      clearInterval(timer);
      res.destroy();
    },
  };
}

/** A `<roomy>__big` call with a progress token, so its answer is an SSE stream (progress first, result last). */
function bigWithProgress(target: Target, session: OpenedSession, size: number, id: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const params = { name: 'roomy__big', arguments: { size }, _meta: { progressToken: `big-${id}` } };
    const req = postOnSession(target, session, JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params }));
    req.on('response', resolve);
    req.on('error', reject);
  });
}

/** Calls roomy's echo from another client until `until` holds; every call must come back whole. */
async function echoWhile(client: Client, until: () => boolean, label: string): Promise<number> {
  let calls = 0;
  const deadline = Date.now() + 60_000;
  while (!until()) {
    assert.ok(Date.now() < deadline, `${label}: still waiting after 60 s`);
    const text = `${label} ${calls}`;
    const result = await within(client.callTool({ name: 'roomy__echo', arguments: { text } }), 20_000, text);
    assert.deepEqual(result.content, [{ type: 'text', text }], 'the shared upstream answers B correctly');
    calls += 1;
    await sleep(10);
  }
  return calls;
}

test('T83 a client reading its SSE answer at 10 kB/s: other clients of the same stdio server keep working; a result past the stream cap fails naming it', async (t) => {
  // Scaled: the result that fits is 4 MiB rather than the cap's 8, so that A's stall costs less memory here.
  const BIG = 20 * 1000 * 1000;
  const FITS = 4 * MiB;
  const h = await startCore(t, { servers: { roomy: { ...securityFixtureServer(), maxMessageBytes: 32 * MiB } } });
  const target = targetOf(h);
  const a = await openSession(target);
  const b = await h.connect();
  const heapBase = settledHeap();

  // A asks for 20 MB and reads at 10 kB/s: the result does not fit under the cap, so A's call fails naming it.
  const bigResponse = await bigWithProgress(target, a, BIG, 1);
  assert.equal(bigResponse.headers['content-type'], 'text/event-stream');
  const bigReader = slowReader(bigResponse, 10_000);
  t.after(() => bigReader.stop());
  const audited = (): boolean => audit(h, { method: 'tools/call', server: 'roomy' }).some((r) => r.target === 'big');
  const during = await echoWhile(b, audited, 'while the 20 MB result came');
  await within(bigReader.ended, 30_000, "the end of A's stream");
  const [failed] = audit(h, { method: 'tools/call', server: 'roomy' }).filter((r) => r.target === 'big');
  assert.equal(failed?.outcome, 'protocol-error');
  assert.ok(failed.error?.includes(`of the ${STREAM_BUFFER_BYTES} one stream may hold`), failed.error ?? '');
  const events = bigReader
    .text()
    .split('\n')
    .filter((l) => l.startsWith('data: '))
    .map((l) => JSON.parse(l.slice(6)) as { id?: number; error?: { code: number; data?: { limit?: number } } });
  const last = events.at(-1);
  assert.equal(last?.id, 1);
  assert.equal(last.error?.code, -32002, "A's call ends with an error");
  assert.equal(last.error.data?.limit, STREAM_BUFFER_BYTES, 'naming the cap');
  assert.ok(bigReader.bytes() < 64 * 1024, `A got ${bigReader.bytes()} bytes: the 20 MB never went onto its stream`);

  // A asks for 4 MiB at 10 kB/s: it fits, and A's stream holds it unread (some 400 s of reading) while B works on.
  const fitsResponse = await bigWithProgress(target, a, FITS, 2);
  const fitsReader = slowReader(fitsResponse, 10_000);
  t.after(() => fitsReader.stop());
  const answered = (): boolean =>
    audit(h, { method: 'tools/call', server: 'roomy' }).some((r) => r.id > failed.id && r.target === 'big');
  let stalled = 0;
  const after = await echoWhile(b, () => answered() && ++stalled > 20, 'while A reads 4 MiB slowly');
  assert.ok(!fitsReader.isEnded(), 'A is still reading its answer while B is served');
  const [delivered] = audit(h, { method: 'tools/call', server: 'roomy' }).filter((r) => r.target === 'big');
  assert.equal(delivered?.outcome, 'ok', 'a result within the cap is delivered');
  const held = settledHeap() - heapBase;
  t.diagnostic(
    `B made ${during} calls while the 20 MB result came and ${after} while A read 4 MiB at 10 kB/s; ` +
      `A read ${fitsReader.bytes()} bytes so far; the process holds ${(held / MiB).toFixed(1)} MiB above baseline`,
  );
  assert.ok(during + after > 20, 'B was served throughout');
  // A's unread answer is bounded by the cap (it holds FITS); nothing of the 20 MB result is kept.
  assert.ok(held < STREAM_BUFFER_BYTES + 8 * MiB, `${(held / MiB).toFixed(1)} MiB held while A stalls`);
});
