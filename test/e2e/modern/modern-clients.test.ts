// Security catalogue, section B: modern (2026-07-28) clients end to end over HTTP (T55) and the version ladder of
// modern requests (T12, modern part). The upstreams speak 2025-11-25 only; the gateway serves modern clients
// statelessly in front of them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TokenStore } from '../../../main/gateway/auth/token-store.ts';
import { dataDirPaths } from '../../../main/paths/data-dir.ts';
import { fixtureServer, isRunning, startHarness, type Harness } from '../../helpers/gateway-harness.ts';
import { jsonOf, rawRequest, rpcError, type RawResponse, type Target } from '../security/raw-http.ts';
import { initializeBody, targetOf, toolCalls, within } from '../security/mcp-session.ts';
import {
  MODERN,
  connectModern,
  envelope,
  messagesIn,
  modernBody,
  modernFixtureServer,
  modernPost,
  openModern,
  resultOf,
} from './modern-http.ts';

/** Only a guard against hanging: a listen stream that nothing ends stays open for good. */
const ENDS_WITHIN_MS = 10_000;

let h: Harness;
let target: Target;

before(async () => {
  h = await startHarness({ servers: { echo: fixtureServer('echo'), fx: modernFixtureServer() } });
  await Promise.all([h.waitForState('echo', isRunning), h.waitForState('fx', isRunning)]);
  target = targetOf(h);
});
after(() => h.close());

function assertModernError(response: RawResponse, status: number, code: number, what: string): void {
  assert.equal(response.status, status, `${what}: HTTP status (${response.text.slice(0, 200)})`);
  assert.equal(rpcError(response).code, code, `${what}: JSON-RPC code`);
}

test('T55 server/discover lists the versions of both eras, the capabilities and cache hints', async () => {
  const body = modernBody('server/discover');
  const response = await modernPost(target, body);
  assert.equal(response.status, 200, response.text);
  assert.equal(jsonOf(response).id, body.id);
  const result = resultOf(response);
  assert.equal(result.resultType, 'complete');
  const versions = result.supportedVersions as string[];
  for (const version of [MODERN, '2025-11-25', '2025-06-18', '2025-03-26'])
    assert.ok(versions.includes(version), version);
  const capabilities = result.capabilities as Record<string, unknown>;
  assert.deepEqual(capabilities.tools, { listChanged: true });
  assert.equal(typeof result.instructions, 'string');
  assert.ok(Number.isInteger(result.ttlMs) && (result.ttlMs as number) >= 0, 'ttlMs');
  assert.equal(result.cacheScope, 'private');
  const meta = result._meta as Record<string, { name: string }>;
  assert.equal(meta['io.modelcontextprotocol/serverInfo']?.name, 'switchboard');
});

test('T55 tools/list has ttlMs, cacheScope and a stable order; tools/call works; no session is minted', async () => {
  const sessionsBefore = h.core.status().sessions;
  const lists: string[][] = [];
  for (let i = 0; i < 3; i++) {
    const response = await modernPost(target, modernBody('tools/list'));
    assert.equal(response.status, 200, response.text);
    assert.equal(response.headers['mcp-session-id'], undefined, 'no session id on a modern answer');
    const result = resultOf(response);
    assert.equal(result.resultType, 'complete');
    assert.equal(result.cacheScope, 'private');
    assert.ok(Number.isInteger(result.ttlMs) && (result.ttlMs as number) >= 0);
    lists.push((result.tools as { name: string }[]).map((tool) => tool.name));
  }
  assert.deepEqual(lists[1], lists[0]);
  assert.deepEqual(lists[2], lists[0]);
  assert.deepEqual(lists[0], [...lists[0]!].sort(), 'sorted by name');
  assert.ok(lists[0]!.includes('echo__echo') && lists[0]!.includes('fx__greet'));

  // A session id sent along is ignored, even one the gateway never issued.
  const call = await modernPost(
    target,
    modernBody('tools/call', { name: 'echo__echo', arguments: { text: 'modern' } }),
    {
      headers: { 'mcp-session-id': '00000000-0000-4000-8000-000000000000' },
    },
  );
  assert.equal(call.status, 200, call.text);
  assert.equal(call.headers['mcp-session-id'], undefined);
  const result = resultOf(call);
  assert.equal(result.resultType, 'complete');
  assert.deepEqual(result.content, [{ type: 'text', text: 'modern' }]);
  assert.equal(h.core.status().sessions, sessionsBefore, 'no session was opened');

  // The per-server endpoint serves modern clients too, with the server's own names.
  const scoped = await modernPost(target, modernBody('tools/list'), { path: '/mcp/fx' });
  const names = (resultOf(scoped).tools as { name: string }[]).map((tool) => tool.name);
  assert.ok(names.includes('greet') && !names.includes('fx__greet'), names.join(', '));
});

test('T55 every result has resultType; progress streams only for a request with a progress token', async () => {
  for (const method of ['prompts/list', 'resources/list', 'resources/templates/list']) {
    const response = await modernPost(target, modernBody(method));
    assert.equal(response.status, 200, `${method}: ${response.text}`);
    const result = resultOf(response);
    assert.equal(result.resultType, 'complete', method);
    assert.equal(result.cacheScope, 'private', method);
  }
  const plain = await modernPost(target, modernBody('tools/call', { name: 'fx__sleep', arguments: { ms: 120 } }));
  assert.equal(plain.headers['content-type'], 'application/json', 'no token: a plain JSON answer');
  assert.equal(resultOf(plain).resultType, 'complete');

  const body = modernBody(
    'tools/call',
    { name: 'fx__sleep', arguments: { ms: 200 } },
    envelope({ progressToken: 'p-1' }),
  );
  const streamed = await modernPost(target, body);
  assert.match(streamed.headers['content-type'] ?? '', /^text\/event-stream/);
  const messages = messagesIn(streamed);
  const progress = messages.filter((m) => m.method === 'notifications/progress');
  assert.ok(progress.length >= 2, `progress notifications: ${progress.length}`);
  for (const note of progress) assert.equal((note.params as { progressToken: string }).progressToken, 'p-1');
  assert.equal(messages.at(-1)?.id, body.id, 'the result comes last');
  assert.equal(resultOf(streamed).resultType, 'complete');

  // An upstream error and an unknown tool answer as on the legacy path, in band.
  const unknown = await modernPost(target, modernBody('tools/call', { name: 'fx__nope', arguments: {} }));
  assert.equal(unknown.status, 200);
  assert.equal(rpcError(unknown).code, -32602);
  assert.match(rpcError(unknown).message, /Unknown tool "fx__nope"/);
});

test('T55 an unknown method, and the methods 2026-07-28 removed, are HTTP 404 with -32601', async () => {
  const before = toolCalls(h);
  for (const [method, params] of [
    ['unknown/method', {}],
    ['ping', {}],
    ['initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } }],
    ['logging/setLevel', { level: 'info' }],
    ['resources/subscribe', { uri: 'file:///x' }],
    ['resources/unsubscribe', { uri: 'file:///x' }],
  ] as const) {
    const body = modernBody(method, params);
    const response = await modernPost(target, body);
    assertModernError(response, 404, -32601, method);
    assert.equal(jsonOf(response).id, body.id, `${method}: the error carries the request id`);
  }
  assert.equal(toolCalls(h), before);
});

test('T55 subscriptions/listen acknowledges first, then delivers only the notifications opted into', async () => {
  const tools = modernBody('subscriptions/listen', { notifications: { toolsListChanged: true } });
  const prompts = modernBody('subscriptions/listen', { notifications: { promptsListChanged: true } });
  const toolStream = await openModern(target, tools).response;
  const promptStream = await openModern(target, prompts).response;
  try {
    for (const [stream, body, honoured] of [
      [toolStream, tools, { toolsListChanged: true }],
      [promptStream, prompts, { promptsListChanged: true }],
    ] as const) {
      assert.equal(stream.status, 200);
      assert.equal(stream.headers['mcp-session-id'], undefined);
      const ack = await stream.waitFor(() => true, 5_000);
      const message = JSON.parse(ack.data) as { method: string; params: Record<string, unknown> };
      assert.equal(message.method, 'notifications/subscriptions/acknowledged');
      assert.deepEqual(message.params.notifications, honoured);
      assert.equal(
        (message.params._meta as Record<string, unknown>)['io.modelcontextprotocol/subscriptionId'],
        body.id,
      );
    }
    const added = await modernPost(
      target,
      modernBody('tools/call', { name: 'fx__add-tool', arguments: { text: 'late' } }),
    );
    assert.equal(added.status, 200, added.text);
    const changed = await toolStream.waitFor((e) => e.data.includes('notifications/tools/list_changed'), 10_000);
    const note = JSON.parse(changed.data) as { params: { _meta: Record<string, unknown> } };
    assert.equal(note.params._meta['io.modelcontextprotocol/subscriptionId'], tools.id);
    // Give the other stream every chance to receive what it must not.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(
      promptStream.events.every((e) => !e.data.includes('tools/list_changed')),
      JSON.stringify(promptStream.events),
    );
  } finally {
    toolStream.close();
    promptStream.close();
  }
  // A filter the gateway cannot honour at all is acknowledged empty, and the stream ends with its result.
  const nothing = await modernPost(target, modernBody('subscriptions/listen', { notifications: {} }));
  const [ack, end] = messagesIn(nothing);
  assert.equal(ack?.method, 'notifications/subscriptions/acknowledged');
  assert.equal((end?.result as { resultType?: string } | undefined)?.resultType, 'complete');
});

test('T55 an SDK 2.x client pinned to 2026-07-28 lists, calls and listens through the gateway', async (t) => {
  const client = await connectModern(t, h);
  assert.equal(client.getNegotiatedProtocolVersion(), MODERN);
  const { tools } = await client.listTools();
  assert.ok(tools.some((tool) => tool.name === 'fx__greet'));
  const result = await client.callTool({ name: 'fx__greet', arguments: { name: 'Ada', count: 2 } });
  assert.deepEqual(result.content, [{ type: 'text', text: 'hello Ada x2' }]);
  const changed = new Promise<void>((resolve) =>
    client.setNotificationHandler('notifications/tools/list_changed', () => resolve()),
  );
  const subscription = await client.listen({ toolsListChanged: true });
  assert.deepEqual(subscription.honoredFilter, { toolsListChanged: true });
  await client.callTool({ name: 'fx__add-tool', arguments: { text: 'from-sdk' } });
  await within(changed, 10_000, 'tools/list_changed on the listen stream');
  await subscription.close();
});

test('T12 modern requests naming an unsupported version get 400 with -32022 and the versions discover lists', async () => {
  const discover = resultOf(await modernPost(target, modernBody('server/discover')));
  const supported = discover.supportedVersions as string[];
  const before = toolCalls(h);
  for (const version of ['1999-01-01', 'v999.0.0', '2025-11-25']) {
    const body = modernBody('tools/call', { name: 'echo__echo', arguments: { text: 'x' } }, envelope({}, version));
    const response = await modernPost(target, body, { headers: { 'mcp-protocol-version': version } });
    assertModernError(response, 400, -32022, version);
    const error = rpcError(response);
    assert.deepEqual((error.data as { supported: string[] }).supported, supported, `${version}: data.supported`);
    assert.equal((error.data as { requested: string }).requested, version);
    assert.equal(jsonOf(response).id, body.id);
  }
  // The header and the envelope disagree: that is a mismatch (-32020), whatever the versions.
  const split = modernBody('tools/list', {}, envelope({}, 'v999.0.0'));
  assertModernError(await modernPost(target, split), 400, -32020, 'header 2026-07-28, _meta v999.0.0');
  // A modern header without the envelope: the required _meta keys are missing.
  const bare = await rawRequest(target, {
    headers: { 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/list' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list', params: {} }),
  });
  assertModernError(bare, 400, -32602, 'no envelope');
  const noCapabilities = modernBody('tools/list', {}, { 'io.modelcontextprotocol/protocolVersion': MODERN });
  assertModernError(await modernPost(target, noCapabilities), 400, -32602, 'no clientCapabilities');
  // Batches do not exist in 2026-07-28.
  const batch = await rawRequest(target, {
    headers: { 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/list' },
    body: JSON.stringify([{ jsonrpc: '2.0', ...modernBody('tools/list') }]),
  });
  assertModernError(batch, 400, -32600, 'batch');
  assert.equal(toolCalls(h), before, 'nothing was forwarded');

  // Legacy clients are unaffected: initialize still opens a session.
  const legacy = await rawRequest(target, { body: initializeBody('2025-11-25') });
  assert.equal(legacy.status, 200, legacy.text);
  assert.equal(typeof legacy.headers['mcp-session-id'], 'string');
});

test('T2 (modern) a revoked token gets 401, and the revoke ends its listen stream and its waiting request', async () => {
  const doomed = { ...target, token: await h.mintToken('doomed-modern') };
  const listen = await openModern(
    doomed,
    modernBody('subscriptions/listen', { notifications: { toolsListChanged: true } }),
  ).response;
  await listen.waitFor(() => true, 5_000);
  const waiting = await openModern(
    doomed,
    modernBody('tools/call', { name: 'fx__sleep', arguments: { ms: 30_000 } }, envelope({ progressToken: 1 })),
  ).response;
  await waiting.waitFor((e) => e.data.includes('notifications/progress'), 5_000);
  const ended: string[] = [];
  void listen.ended.then(() => ended.push('listen stream'));
  void waiting.ended.then(() => ended.push('waiting request'));

  assert.deepEqual(ended, [], 'both were open until the revoke');
  const revoked = await new TokenStore(dataDirPaths(h.dataDir).tokens).revoke('doomed-modern');
  assert.ok(revoked.ok);
  const refused = await modernPost(doomed, modernBody('tools/list'));
  assert.equal(refused.status, 401);
  // Nothing else ends a listen stream, and the sleep had 30 s to go: both ending now is the revoke's doing.
  await within(listen.ended, ENDS_WITHIN_MS, 'the listen stream');
  await within(waiting.ended, ENDS_WITHIN_MS, 'the waiting request');
  const last = JSON.parse(waiting.events.at(-1)!.data) as { error?: { message: string } };
  assert.match(last.error?.message ?? '', /revoked/, 'the waiting request is told why');
});

test('shutdown ends listen streams with their result and answers a modern request still waiting with an error', async () => {
  const own = await startHarness({ gateway: { drainMs: 200 }, servers: { fx: modernFixtureServer() } });
  let closed = false;
  try {
    await own.waitForState('fx', isRunning);
    const ownTarget = targetOf(own);
    const listenBody = modernBody('subscriptions/listen', { notifications: { toolsListChanged: true } });
    const listen = await openModern(ownTarget, listenBody).response;
    await listen.waitFor(() => true, 5_000);
    const callBody = modernBody('tools/call', { name: 'fx__sleep', arguments: { ms: 30_000 } });
    const waiting = modernPost(ownTarget, callBody);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await own.close();
    closed = true;

    await within(listen.ended, ENDS_WITHIN_MS, 'the listen stream');
    const last = JSON.parse(listen.events.at(-1)!.data) as { id?: unknown; result?: { resultType?: string } };
    assert.equal(last.id, listenBody.id);
    assert.equal(last.result?.resultType, 'complete');
    const answer = await waiting;
    assert.equal(answer.status, 503);
    assert.equal(jsonOf(answer).id, callBody.id);
    assert.match(rpcError(answer).message, /shutting down/);
  } finally {
    if (!closed) await own.close();
  }
});
