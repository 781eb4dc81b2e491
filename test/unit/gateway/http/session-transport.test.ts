import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { SessionTransport } from '../../../../main/gateway/http/session-transport.ts';

/** A real loopback server whose every request is handed to `handle`, and a client to call it. */
async function serve(
  t: TestContext,
  handle: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<(method: string) => Promise<IncomingMessage>> {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const port = (server.address() as AddressInfo).port;
  return (method) =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method, agent: false }, resolve);
      req.on('error', reject);
      req.end();
    });
}

async function text(res: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of res) body += String(chunk);
  return body;
}

test('a batch is answered in the order of its requests, whatever order the answers come in (T52)', async (t) => {
  const transport = new SessionTransport({ sessionId: 's', maxStreamBufferBytes: 1024 });
  const received: JSONRPCMessage[] = [];
  transport.onmessage = (m) => received.push(m);
  const call = await serve(t, (_req, res) => {
    transport.acceptPost(
      res,
      [
        { jsonrpc: '2.0', id: 'first', method: 'ping' },
        { jsonrpc: '2.0', id: 2, method: 'ping' },
        { jsonrpc: '2.0', id: 3, method: 'ping' },
      ],
      true,
      {},
    );
    void (async () => {
      for (const id of [3, 'first', 2]) await transport.send({ jsonrpc: '2.0', id, result: { id } });
    })();
  });
  const res = await call('POST');
  assert.equal(received.length, 3);
  const answers = JSON.parse(await text(res)) as { id: unknown }[];
  assert.deepEqual(
    answers.map((a) => a.id),
    ['first', 2, 3],
  );
});

test('a stream its client does not read holds at most the cap; the rest is dropped, counted and reported once (T16)', async (t) => {
  const cap = 256 * 1024;
  const transport = new SessionTransport({ sessionId: 's', maxStreamBufferBytes: cap });
  let reports = 0;
  transport.onoverflow = () => (reports += 1);
  let opened!: () => void;
  const ready = new Promise<void>((resolve) => (opened = resolve));
  const call = await serve(t, (req, res) => {
    transport.acceptGet(req, res);
    opened();
  });
  const res = await call('GET');
  res.pause();
  await ready;
  const message = 'x'.repeat(64 * 1024);
  const total = 2_000;
  for (let i = 0; i < total; i++) {
    await transport.send({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: message } });
  }
  assert.ok(transport.overflowed > 0, 'some notifications were dropped');
  assert.equal(transport.dropped, transport.overflowed);
  assert.equal(reports, 1, 'reported once per stream');
  // Kept: what fit under the cap plus what the sockets absorbed; far less than the 125 MiB sent.
  const kept = total - transport.overflowed;
  assert.ok(kept * message.length < cap + 32 * 1024 * 1024, `kept ${kept} messages`);
  res.destroy();
  await transport.close();
});

test('closing a session answers its waiting requests with an error instead of an empty response', async (t) => {
  const transport = new SessionTransport({ sessionId: 's', maxStreamBufferBytes: 1024 });
  const call = await serve(t, (_req, res) => {
    transport.acceptPost(res, [{ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'slow' } }], false, {});
    setImmediate(() => void transport.close());
  });
  const res = await call('POST');
  assert.equal(res.headers['content-type'], 'application/json');
  const answer = JSON.parse(await text(res)) as { id: unknown; error?: { code: number; message: string } };
  assert.equal(answer.id, 7);
  assert.equal(answer.error?.code, -32003);
  assert.match(answer.error?.message ?? '', /session ended/);
});

test('on an SSE stream the result follows its notifications in a later write', async (t) => {
  const transport = new SessionTransport({ sessionId: 's', maxStreamBufferBytes: 1 << 20 });
  const call = await serve(t, (_req, res) => {
    transport.acceptPost(res, [{ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x' } }], false, {});
    const progress = { method: 'notifications/progress', params: { progressToken: 1, progress: 1 } };
    void transport.send({ jsonrpc: '2.0', ...progress }, { relatedRequestId: 1 });
    void transport.send({ jsonrpc: '2.0', id: 1, result: { content: [] } });
  });
  const res = await call('POST');
  assert.equal(res.headers['content-type'], 'text/event-stream');
  const events = (await text(res))
    .split('\n\n')
    .filter((e) => e.startsWith('event: message'))
    .map((e) => JSON.parse(e.slice(e.indexOf('data: ') + 6)) as { id?: number; method?: string });
  assert.deepEqual(
    events.map((e) => e.method ?? `result ${e.id}`),
    ['notifications/progress', 'result 1'],
  );
});
