// Security catalogue, section B: body size (T13 oversized bodies, T51 large legitimate arguments).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { test } from 'node:test';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { MiB, rssPeak, settledRss } from './memory.ts';
import { echoCall, openSession, rpc, startCore, targetOf, toolCalls } from './mcp-session.ts';
import { defaultHeaders, jsonOf, rawRequest, rpcError, type RawResponse, type Target } from './raw-http.ts';

const LIMIT = 4 * MiB;

/** Streams `total` bytes of body as fast as the socket takes them; resolves with the answer and what was sent. */
function upload(
  target: Target,
  total: number,
  declareLength: boolean,
): Promise<{ response: RawResponse; sentWhenAnswered: number; sent: number }> {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answer: { response: RawResponse; sentWhenAnswered: number } | null = null;
    const req = request({
      host: '127.0.0.1',
      port: target.port,
      method: 'POST',
      path: '/mcp',
      agent: false,
      headers: { ...defaultHeaders(target), ...(declareLength ? { 'content-length': String(total) } : {}) },
    });
    req.on('response', (res) => {
      const sentWhenAnswered = sent;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        answer = { response: { status: res.statusCode ?? 0, headers: res.headers, text }, sentWhenAnswered };
      });
    });
    // The gateway closes the connection after its 413, so the rest of the upload fails: that is the point.
    req.on('error', () => {});
    req.on('close', () => (answer ? resolve({ ...answer, sent }) : reject(new Error('closed without an answer'))));
    const pump = (): void => {
      while (sent < total && !req.destroyed) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    if (declareLength) req.flushHeaders();
    else pump();
  });
}

function assertTooLarge(response: RawResponse, what: string): void {
  assert.equal(response.status, 413, `${what}: got ${response.status} ${response.text.slice(0, 200)}`);
  assert.match(String(response.headers['content-type']), /^application\/json/);
  const error = rpcError(response);
  assert.equal(error.code, -32002);
  assert.match(error.message, new RegExp(`${LIMIT} bytes`), `${what}: the message names the limit`);
  assert.match(error.message, /gateway\.maxBodyBytes/, `${what}: and the setting`);
  assert.deepEqual(error.data, { limit: LIMIT });
}

test('T13 a body over the limit gets 413 while it is still being sent, with or without Content-Length', async (t) => {
  const h = await startCore(t);
  const target = targetOf(h);
  const other = await openSession(target);
  const total = 16 * LIMIT;

  // Content-Length over the limit: refused from the headers alone; the body is never sent.
  const declared = await upload(target, total, true);
  assertTooLarge(declared.response, 'Content-Length');
  assert.equal(declared.sentWhenAnswered, 0);

  // Chunked: refused once the limit is crossed, long before the 64 MiB are through, and never buffered whole.
  const base = settledRss();
  const sampler = rssPeak();
  const chunked = await upload(target, total, false);
  const growth = sampler.stop() - base;
  assertTooLarge(chunked.response, 'chunked');
  assert.ok(chunked.sentWhenAnswered < total / 2, `answered after ${chunked.sentWhenAnswered} of ${total} bytes`);
  assert.ok(chunked.sent < total, 'the connection was closed before the whole body went out');
  t.diagnostic(
    `chunked ${total / MiB} MiB: answered after ${(chunked.sentWhenAnswered / MiB).toFixed(1)} MiB sent, ` +
      `peak RSS growth ${(growth / MiB).toFixed(1)} MiB (limit ${LIMIT / MiB} MiB)`,
  );
  // The gateway holds at most the limit before refusing; the margin covers allocator and socket noise.
  assert.ok(growth < LIMIT + 4 * MiB, `RSS grew by ${(growth / MiB).toFixed(1)} MiB`);

  assert.equal(toolCalls(h), 0);
  const served = await rpc(target, other, 'tools/call', echoCall('still here'));
  assert.equal(served.status, 200, 'other sessions keep being served');
  assert.equal(h.core.status().sessions, 1, 'no session was opened by the refused bodies');
});

/** A tools/call body of exactly `size` bytes. */
function callOfSize(size: number): string {
  const head = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo__echo","arguments":{"text":"';
  const tail = '"}}}';
  return head + 'b'.repeat(size - head.length - tail.length) + tail;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

test('T51 a 3.5 MiB argument reaches the echo server byte-identical and back; limit + 1 byte gets 413', async (t) => {
  const h = await startCore(t);
  const client = await h.connect();
  // Every printable ASCII character and multi-byte UTF-8, so any re-encoding on the way would show.
  const unit = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('') + 'é€😀\n\t"\\';
  const text = unit.repeat(Math.ceil((3.5 * MiB) / Buffer.byteLength(unit))).slice(0, 3.5 * MiB);
  assert.ok(Buffer.byteLength(text) > 3.5 * MiB - 8 && Buffer.byteLength(JSON.stringify(text)) < LIMIT - 1024);
  const result = (await client.callTool({ name: 'echo__echo', arguments: { text } })) as CallToolResult;
  const [first] = result.content;
  assert.equal(first?.type, 'text');
  const echoed = (first as { text: string }).text;
  assert.equal(echoed.length, text.length);
  assert.equal(sha256(echoed), sha256(text), 'byte-identical after the round trip');

  const target = targetOf(h);
  const session = await openSession(target);
  const atLimit = await rpc(target, session, '', {}, { body: callOfSize(LIMIT) });
  assert.equal(atLimit.status, 200, `exactly the limit is accepted: ${atLimit.text.slice(0, 200)}`);
  assert.equal((jsonOf(atLimit).result as CallToolResult).isError, undefined);
  const over = await rpc(target, session, '', {}, { body: callOfSize(LIMIT + 1) });
  assertTooLarge(over, 'limit + 1');
  assert.equal(toolCalls(h), 2, 'the oversized call was not forwarded');

  const after = await rawRequest(target, { method: 'GET', path: '/healthz' });
  assert.equal(after.status, 200, 'the gateway is still up');
  const still = await client.callTool({ name: 'echo__echo', arguments: { text: 'after' } });
  assert.deepEqual(still.content, [{ type: 'text', text: 'after' }]);
});
