import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListRootsResultSchema,
  ListToolsRequestSchema,
  type JSONRPCNotification,
  type JSONRPCRequest,
} from '@modelcontextprotocol/sdk/types.js';
import { CallError } from '../../../../main/gateway/aggregate/call-error.ts';
import { LegacyDispatch } from '../../../../main/gateway/modern/legacy-dispatch.ts';

/**
 * A session-server stand-in: `progress` sends 3 notifications then answers, `wait` answers when cancelled, `ask`
 * asks its client for roots during the call and answers with them; `ask-later` does so when `release` is called,
 * and withdraws its request when `withdraw` is.
 */
function sessionServer(): { server: Server; aborted: string[]; release: () => void; withdraw: () => void } {
  const aborted: string[] = [];
  const gate = Promise.withResolvers<void>();
  const withdrawal = new AbortController();
  const server = new Server(
    { name: 'inner', version: '1' },
    { capabilities: { tools: { listChanged: true } }, instructions: 'hi' },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [] }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    switch (request.params.name) {
      case 'progress':
        for (let i = 1; i <= 3; i++) {
          await extra.sendNotification({
            method: 'notifications/progress',
            params: { progressToken: 't', progress: i },
          });
        }
        return { content: [{ type: 'text', text: 'done' }] };
      case 'wait':
        return new Promise((_, reject) =>
          extra.signal.addEventListener('abort', () => {
            aborted.push(String(extra.signal.reason));
            reject(new Error('aborted'));
          }),
        );
      case 'ask':
      case 'ask-later': {
        if (request.params.name === 'ask-later') await gate.promise;
        const { roots } = await extra.sendRequest({ method: 'roots/list' }, ListRootsResultSchema, {
          signal: withdrawal.signal,
        });
        return { content: [{ type: 'text', text: roots.map((root) => root.uri).join(' ') }] };
      }
      default:
        // As the gateway's CallError: code, message and data exactly as they go on the wire.
        throw Object.assign(new Error('no such tool'), {
          code: ErrorCode.InvalidParams,
          data: { tool: request.params.name },
        });
    }
  });
  return { server, aborted, release: () => gate.resolve(), withdraw: () => withdrawal.abort('no longer needed') };
}

const client = { name: 'modern', version: '1' };
const quiet = () => ({ signal: new AbortController().signal, notify: async () => {} });

test('open initializes the session server and learns its capabilities, instructions and identity', async () => {
  const { server } = sessionServer();
  const dispatch = await LegacyDispatch.open(server, client);
  assert.deepEqual(dispatch.identity.capabilities, { tools: { listChanged: true } });
  assert.equal(dispatch.identity.instructions, 'hi');
  assert.equal(dispatch.identity.serverInfo.name, 'inner');
  assert.deepEqual(await dispatch.request('tools/list', {}, quiet()), { tools: [] });
  await dispatch.shutdown();
});

test("a request's notifications reach its caller in order, before its result", async () => {
  const { server } = sessionServer();
  const dispatch = await LegacyDispatch.open(server, client);
  const seen: string[] = [];
  const result = await dispatch
    .request(
      'tools/call',
      { name: 'progress', arguments: {} },
      {
        signal: new AbortController().signal,
        notify: async (n: JSONRPCNotification) => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          seen.push(`progress ${String((n.params as { progress: number }).progress)}`);
        },
      },
    )
    .then((r) => {
      seen.push('result');
      return r;
    });
  assert.deepEqual(seen, ['progress 1', 'progress 2', 'progress 3', 'result']);
  assert.deepEqual(result.content, [{ type: 'text', text: 'done' }]);
  await dispatch.shutdown();
});

test('errors come back exactly as the session server sent them', async () => {
  const { server } = sessionServer();
  const dispatch = await LegacyDispatch.open(server, client);
  const error = await dispatch.request('tools/call', { name: 'nope', arguments: {} }, quiet()).catch((e: unknown) => e);
  assert.ok(error instanceof CallError);
  assert.equal(error.code, ErrorCode.InvalidParams);
  assert.equal(error.message, 'no such tool');
  assert.deepEqual(error.data, { tool: 'nope' });
  await dispatch.shutdown();
});

test('aborting the caller cancels the request in the session server', async () => {
  const { server, aborted } = sessionServer();
  const dispatch = await LegacyDispatch.open(server, client);
  const controller = new AbortController();
  const call = dispatch.request(
    'tools/call',
    { name: 'wait', arguments: {} },
    { signal: controller.signal, notify: async () => {} },
  );
  await new Promise((resolve) => setTimeout(resolve, 10));
  controller.abort('closed by the client');
  await assert.rejects(call, /cancelled/);
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(aborted.length, 1);
  await dispatch.shutdown();
});

test('notifications tied to no request go to onunrelated; server-to-client requests are refused at once', async () => {
  const { server } = sessionServer();
  const dispatch = await LegacyDispatch.open(server, client);
  const unrelated: string[] = [];
  dispatch.onunrelated = (n) => unrelated.push(n.method);
  await server.sendToolListChanged();
  assert.deepEqual(unrelated, ['notifications/tools/list_changed']);
  const asked = await dispatch.request('tools/call', { name: 'ask', arguments: {} }, quiet()).catch((e: unknown) => e);
  assert.ok(asked instanceof CallError);
  assert.match(asked.message, /roots\/list cannot be sent/);
  await dispatch.shutdown();
});

test('closing rejects requests still waiting and tells whoever holds the dispatch', async () => {
  const { server } = sessionServer();
  const dispatch = await LegacyDispatch.open(server, client);
  let ended = 0;
  dispatch.onended = () => (ended += 1);
  const waiting = dispatch.request('tools/call', { name: 'wait', arguments: {} }, quiet());
  await dispatch.shutdown();
  await assert.rejects(waiting, /closed/);
  assert.equal(ended, 1);
  await assert.rejects(dispatch.request('tools/list', {}, quiet()), /closed/);
});

/** A call that answers the session server's requests with `answer`, recording what it was asked. */
function asking(serving: boolean, answer: () => Promise<Record<string, unknown>>) {
  const asked: { request: JSONRPCRequest; withdrawn: AbortSignal }[] = [];
  const notified: string[] = [];
  return {
    asked,
    notified,
    call: {
      signal: new AbortController().signal,
      notify: async (n: JSONRPCNotification) => void notified.push(n.method),
      ask: (request: JSONRPCRequest, withdrawn: AbortSignal) => {
        asked.push({ request, withdrawn });
        return answer();
      },
      serving: () => serving,
    },
  };
}

test("a request the session server makes during a call goes to that call's ask; the answer is its result", async () => {
  const { server } = sessionServer();
  const dispatch = await LegacyDispatch.open(server, client);
  const caller = asking(true, async () => ({ roots: [{ uri: 'file:///a' }] }));
  const result = await dispatch.request('tools/call', { name: 'ask', arguments: {} }, caller.call);
  assert.equal(caller.asked.length, 1);
  assert.equal(caller.asked[0]!.request.method, 'roots/list');
  assert.deepEqual(result.content, [{ type: 'text', text: 'file:///a' }]);
  // An error the ask throws reaches the session server with its code and data.
  const refusing = asking(true, async () => {
    throw new CallError(-32021, 'Client does not support roots', { requiredCapabilities: { roots: {} } });
  });
  const refused = await dispatch.request('tools/call', { name: 'ask', arguments: {} }, refusing.call).catch((e) => e);
  assert.ok(refused instanceof CallError);
  assert.match(refused.message, /-32021.*does not support roots/);
  await dispatch.shutdown();
});

test('a request the session server withdraws is withdrawn from the ask, and its cancel reaches nobody else', async () => {
  const { server, release, withdraw } = sessionServer();
  const dispatch = await LegacyDispatch.open(server, client);
  const answer = Promise.withResolvers<Record<string, unknown>>();
  const caller = asking(true, () => answer.promise);
  const call = dispatch.request('tools/call', { name: 'ask-later', arguments: {} }, caller.call).catch((e) => e);
  release();
  while (caller.asked.length === 0) await new Promise((resolve) => setImmediate(resolve));
  assert.equal(caller.asked[0]!.withdrawn.aborted, false);
  withdraw();
  await call;
  assert.equal(caller.asked[0]!.withdrawn.aborted, true);
  assert.deepEqual(caller.notified, [], 'the session server’s cancel of its own request is not relayed');
  answer.resolve({ roots: [] });
  await dispatch.shutdown();
});

test('a request related to a call waiting for a retry goes to a call of this client being answered now', async () => {
  const { server, release } = sessionServer();
  const dispatch = await LegacyDispatch.open(server, client);
  const live = asking(true, async () => ({ roots: [{ uri: 'file:///live' }] }));
  const parked = asking(false, async () => ({ roots: [{ uri: 'file:///parked' }] }));
  const holding = dispatch.request('tools/call', { name: 'wait', arguments: {} }, live.call).catch(() => null);
  const waiting = dispatch.request('tools/call', { name: 'ask-later', arguments: {} }, parked.call);
  release();
  const result = await waiting;
  assert.equal(parked.asked.length, 0);
  assert.equal(live.asked.length, 1);
  assert.deepEqual(result.content, [{ type: 'text', text: 'file:///live' }]);
  await dispatch.shutdown();
  await holding;
});
