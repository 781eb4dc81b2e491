import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  type JSONRPCNotification,
} from '@modelcontextprotocol/sdk/types.js';
import { CallError } from '../../../../main/gateway/aggregate/call-error.ts';
import { LegacyDispatch } from '../../../../main/gateway/modern/legacy-dispatch.ts';

/** A session-server stand-in: `progress` sends 3 notifications then answers, `wait` answers when cancelled. */
function sessionServer(): { server: Server; aborted: string[] } {
  const aborted: string[] = [];
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
        await server.listRoots();
        return { content: [] };
      default:
        // As the gateway's CallError: code, message and data exactly as they go on the wire.
        throw Object.assign(new Error('no such tool'), {
          code: ErrorCode.InvalidParams,
          data: { tool: request.params.name },
        });
    }
  });
  return { server, aborted };
}

const client = { capabilities: {}, info: { name: 'modern', version: '1' } };
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
