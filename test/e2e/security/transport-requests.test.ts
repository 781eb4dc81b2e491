// Security catalogue, section B: what a request must look like (T11 media types, T12 protocol version, T14
// malformed JSON-RPC, T17 unknown sessions, T52 batches).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { Core } from '../../../main/core/core.ts';
import { createLogger } from '../../../main/log/logger.ts';
import { fixtureServer } from '../../helpers/gateway-harness.ts';
import {
  audit,
  echoCall,
  openSession,
  rpc,
  sleep,
  startCore,
  targetOf,
  toolCalls,
  within,
  type OpenedSession,
} from './mcp-session.ts';
import { jsonOf, openSse, rawRequest, rpcError, type RawResponse, type Target } from './raw-http.ts';

function assertRpcError(response: RawResponse, status: number, code: number, what: string): void {
  assert.equal(response.status, status, `${what}: got ${response.status} ${response.text}`);
  assert.equal(rpcError(response).code, code, `${what}: ${response.text}`);
}

function sessionHeaders(session: OpenedSession): Record<string, string> {
  return { 'mcp-session-id': session.id, 'mcp-protocol-version': session.protocolVersion };
}

test('T11 wrong Content-Type gets 415, an Accept without both media types 406, each with a JSON-RPC error', async (t) => {
  const h = await startCore(t);
  const target = targetOf(h);
  const session = await openSession(target);
  const callsBefore = toolCalls(h);
  const call = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: echoCall('x') });

  for (const contentType of [
    'text/plain',
    'text/plain;charset=UTF-8',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/jsonx',
    undefined,
  ]) {
    const response = await rawRequest(target, {
      headers: { ...sessionHeaders(session), 'content-type': contentType },
      body: call,
    });
    assertRpcError(response, 415, -32600, `Content-Type ${contentType ?? '(none)'}`);
  }
  assert.equal(
    (
      await rawRequest(target, {
        headers: { ...sessionHeaders(session), 'content-type': 'application/json; charset=utf-8' },
        body: '{"jsonrpc":"2.0","id":2,"method":"ping"}',
      })
    ).status,
    200,
    'application/json with a charset is fine',
  );
  for (const accept of ['application/json', 'text/event-stream', 'text/html', undefined]) {
    const response = await rawRequest(target, { headers: { ...sessionHeaders(session), accept }, body: call });
    assertRpcError(response, 406, -32600, `POST Accept ${accept ?? '(none)'}`);
  }
  for (const accept of ['application/json', 'text/html', undefined]) {
    const response = await rawRequest(target, { method: 'GET', headers: { ...sessionHeaders(session), accept } });
    assertRpcError(response, 406, -32600, `GET Accept ${accept ?? '(none)'}`);
  }
  assert.equal(toolCalls(h), callsBefore, 'nothing was forwarded');
});

test('T12 an unsupported MCP-Protocol-Version gets 400 listing the supported ones; a missing one uses the session version', async (t) => {
  const h = await startCore(t);
  const target = targetOf(h);
  const session = await openSession(target, { version: '2025-06-18' });
  assert.equal(session.protocolVersion, '2025-06-18');
  const bad = { ...sessionHeaders(session), 'mcp-protocol-version': '1999-01-01' };

  const responses: [string, RawResponse][] = [
    [
      'POST',
      await rawRequest(target, {
        headers: bad,
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: echoCall('x') }),
      }),
    ],
    [
      'GET',
      await rawRequest(target, { method: 'GET', headers: { ...bad, accept: 'text/event-stream' }, timeoutMs: 2_000 }),
    ],
    ['DELETE', await rawRequest(target, { method: 'DELETE', headers: bad })],
  ];
  for (const [method, response] of responses) {
    assertRpcError(response, 400, -32600, method);
    const error = rpcError(response);
    assert.match(error.message, /1999-01-01/);
    for (const version of ['2025-11-25', '2025-06-18', '2025-03-26']) {
      assert.ok(error.message.includes(version), `${method}: the message lists ${version}`);
      assert.ok((error.data as { supported: string[] }).supported.includes(version), `${method}: data.supported`);
    }
  }
  assert.equal(toolCalls(h), 0, 'the call was not forwarded');
  assert.equal(h.core.status().sessions, 1, 'the DELETE did not end the session');

  // Without the header, a legacy session is served at the version it negotiated.
  const served = await rpc(target, session, 'tools/call', echoCall('no header'), {
    headers: { 'mcp-protocol-version': undefined },
  });
  assert.equal(served.status, 200, served.text);
  const [record] = audit(h, { method: 'tools/call' });
  assert.equal(record?.outcome, 'ok');
  assert.equal(record?.protocolVersion, '2025-06-18');
});

test('T14 malformed JSON-RPC gets 400 with -32700 or -32600, and the session keeps serving', async (t) => {
  const h = await startCore(t);
  const target = targetOf(h);
  const session = await openSession(target);
  const cases: [string, string, number][] = [
    ['unterminated object', '{', -32700],
    ['not UTF-8 JSON', '\u00ff\u00fe', -32700],
    ['empty body', '', -32700],
    ['empty batch', '[]', -32600],
    ['jsonrpc 1.0', '{"jsonrpc":"1.0","id":1,"method":"ping"}', -32600],
    ['no jsonrpc member', '{"id":1,"method":"ping"}', -32600],
    ['id null', '{"jsonrpc":"2.0","id":null,"method":"ping"}', -32600],
    ['id an object', '{"jsonrpc":"2.0","id":{},"method":"ping"}', -32600],
    ['no method', '{"jsonrpc":"2.0","id":1}', -32600],
    ['method not a string', '{"jsonrpc":"2.0","id":1,"method":5}', -32600],
    ['a string', '"ping"', -32600],
    ['null', 'null', -32600],
    ['batch where batches are refused', '[{"jsonrpc":"2.0","id":1,"method":"ping"}]', -32600],
  ];
  for (const [what, body, code] of cases) {
    const response = await rpc(target, session, '', {}, { body });
    assertRpcError(response, 400, code, what);
  }
  const ping = await rpc(target, session, 'ping');
  assert.equal(ping.status, 200);
  assert.deepEqual(jsonOf(ping).result, {});
  assert.equal(ping.headers['mcp-session-id'], session.id);
});

test('T17 an unknown, deleted, expired or pre-restart session id gets 404, never 400', async (t) => {
  const h = await startCore(t, { gateway: { sessionIdleMs: 1_000 }, servers: { echo: fixtureServer('echo') } });
  const target = targetOf(h);
  const expectNotFound = async (target: Target, id: string, what: string): Promise<void> => {
    const headers = { 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' };
    assertRpcError(
      await rawRequest(target, { headers, body: '{"jsonrpc":"2.0","id":1,"method":"ping"}' }),
      404,
      -32600,
      `POST ${what}`,
    );
    const get = await rawRequest(target, { method: 'GET', headers: { ...headers, accept: 'text/event-stream' } });
    assertRpcError(get, 404, -32600, `GET ${what}`);
    assertRpcError(await rawRequest(target, { method: 'DELETE', headers }), 404, -32600, `DELETE ${what}`);
  };

  await expectNotFound(target, randomUUID(), 'never issued');

  // DELETE ends the session, its GET stream and its calls; the upstream call is cancelled.
  const session = await openSession(target);
  const stream = await openSse(target, { headers: sessionHeaders(session) });
  const hanging = rpc(target, session, 'tools/call', { name: 'echo__hang', arguments: {} });
  await sleep(200);
  assert.equal(h.core.status().sessions, 1);
  const deleted = await rawRequest(target, { method: 'DELETE', headers: sessionHeaders(session) });
  assert.ok([200, 204].includes(deleted.status), `DELETE: ${deleted.status}`);
  // Only guards against hanging: the hang call never answers and the stream never ends unless the DELETE ends them.
  await within(stream.ended, 10_000, "the end of the deleted session's GET stream");
  await within(hanging, 10_000, "the answer to the deleted session's call");
  assert.equal(h.core.status().sessions, 0);
  await expectNotFound(target, session.id, 'deleted');
  const cancelled = audit(h, { method: 'tools/call' }).find((r) => r.target === 'hang');
  assert.equal(cancelled?.outcome, 'cancelled', 'the upstream call was cancelled, not left running');

  // Idle past gateway.sessionIdleMs (1 s here): swept, then not found.
  const idle = await openSession(target);
  const deadline = Date.now() + 5_000;
  while (h.core.status().sessions > 0 && Date.now() < deadline) await sleep(100);
  assert.equal(h.core.status().sessions, 0, 'the idle session was swept');
  await expectNotFound(target, idle.id, 'expired');

  // Issued before a restart: a new core on the same data directory knows the token, not the session.
  const before = await openSession(target);
  await h.core.stop();
  const restarted = await Core.start({
    dataDir: h.dataDir,
    logger: createLogger({ level: 'error', write: () => {} }),
    port: 0,
  });
  assert.ok(restarted.ok);
  try {
    const newTarget = { ...target, port: Number(new URL(restarted.core.gatewayUrl).port) };
    await expectNotFound(newTarget, before.id, 'issued before a restart');
    const again = await openSession(newTarget);
    assert.equal((await rpc(newTarget, again, 'ping')).status, 200, 're-initializing works');
  } finally {
    await restarted.core.stop();
  }
});

test('T52 batches follow the negotiated version', async (t) => {
  const h = await startCore(t, { servers: { echo: fixtureServer('echo'), other: fixtureServer('echo') } });
  const target = targetOf(h);
  const call = (id: number, name: string, args: Record<string, unknown>) => ({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name, arguments: args },
  });
  const oneCall = JSON.stringify([call(1, 'echo__echo', { text: 'in a batch' })]);

  for (const version of ['2025-11-25', '2025-06-18']) {
    const session = await openSession(target, { version });
    assertRpcError(await rpc(target, session, '', {}, { body: oneCall }), 400, -32600, `batch on ${version}`);
    assertRpcError(
      await rpc(target, session, '', {}, { body: '[{"jsonrpc":"2.0","id":1,"method":"ping"}]' }),
      400,
      -32600,
      `ping batch on ${version}`,
    );
  }
  assertRpcError(await rpc(target, null, '', {}, { body: oneCall }), 400, -32600, 'batch without a session');
  assert.equal(toolCalls(h), 0, 'no element of a refused batch ran');

  const old = await openSession(target, { version: '2025-03-26' });
  assert.equal(old.protocolVersion, '2025-03-26');
  // The first call is slower than the second, so an answer array in arrival order would be reversed.
  const batch = JSON.stringify([call(11, 'echo__freeze', { ms: 400 }), call(12, 'other__echo', { text: 'second' })]);
  const answered = await rpc(target, old, '', {}, { body: batch });
  assert.equal(answered.status, 200, answered.text);
  const results = JSON.parse(answered.text) as { id: number; result: { content: { text: string }[] } }[];
  assert.ok(Array.isArray(results));
  assert.deepEqual(
    results.map((r) => r.id),
    [11, 12],
    'answers in request order',
  );
  assert.equal(results[0]!.result.content[0]!.text, 'thawed');
  assert.equal(results[1]!.result.content[0]!.text, 'second');
  const records = audit(h, { method: 'tools/call' });
  assert.equal(records.length, 2, 'each call of the batch audited on its own');
  assert.deepEqual(records.map((r) => `${r.server}/${r.target}/${r.outcome}/${r.protocolVersion}`).sort(), [
    'echo/freeze/ok/2025-03-26',
    'other/echo/ok/2025-03-26',
  ]);

  const tooMany = JSON.stringify(
    Array.from({ length: 33 }, (_, i) => call(100 + i, 'echo__echo', { text: String(i) })),
  );
  const initInBatch = JSON.stringify([
    {
      jsonrpc: '2.0',
      id: 5,
      method: 'initialize',
      params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
    },
  ]);
  for (const [what, body] of [
    ['initialize in a batch', initInBatch],
    ['an empty batch', '[]'],
    ['33 messages (the cap is 32)', tooMany],
  ]) {
    assertRpcError(await rpc(target, old, '', {}, { body }), 400, -32600, what!);
  }
  assert.equal(toolCalls(h), 2, 'no element of a refused batch ran');
});
