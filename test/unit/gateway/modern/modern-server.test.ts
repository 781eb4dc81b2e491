import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Server as LegacyServer } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import {
  PerRequestHTTPServerTransport,
  classifyInboundRequest,
  type JSONRPCRequest,
} from '@modelcontextprotocol/server';
import { LegacyDispatch } from '../../../../main/gateway/modern/legacy-dispatch.ts';
import {
  LIST_TTL_MS,
  createModernServer,
  modernCapabilities,
  servedMethods,
} from '../../../../main/gateway/modern/modern-server.ts';
import { GATEWAY_PROTOCOL_VERSIONS } from '../../../../main/gateway/modern/protocol-eras.ts';

const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
};

/** A session-server stand-in with tools (one list missing a server) and resources, logging on calls. */
async function dispatch(): Promise<LegacyDispatch> {
  const server = new LegacyServer(
    { name: 'switchboard', version: '9' },
    { capabilities: { tools: { listChanged: true }, resources: {}, logging: {} }, instructions: 'gateway' },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: ['b', 'c', 'a'].map((name) => ({ name, inputSchema: { type: 'object' as const } })),
    _meta: { 'dev.switchboard/unavailable': [{ server: 'x', reason: 'starting' }] },
  }));
  server.setRequestHandler(ReadResourceRequestSchema, () => ({ contents: [] }));
  server.setRequestHandler(CallToolRequestSchema, async (_request, extra) => {
    for (const level of ['debug', 'warning'] as const) {
      await extra.sendNotification({ method: 'notifications/message', params: { level, data: level } });
    }
    return { content: [] };
  });
  return LegacyDispatch.open(server, { name: 't', version: '1' });
}

/** Serves one modern request on a fresh SDK 2.x server, as the endpoint does, and reads every message of it. */
async function serve(method: string, params: Record<string, unknown> = {}, meta: Record<string, unknown> = META) {
  const inner = await dispatch();
  const body = { jsonrpc: '2.0', id: 1, method, params: { ...params, _meta: meta } };
  const route = classifyInboundRequest({ httpMethod: 'POST', body });
  if (route.kind !== 'modern') throw new Error(`not modern: ${JSON.stringify(route)}`);
  const transport = new PerRequestHTTPServerTransport({ classification: route.classification });
  const server = createModernServer(inner);
  await server.connect(transport);
  const response = await transport.handleMessage(body as JSONRPCRequest);
  const text = await response.text();
  await server.close();
  await inner.shutdown();
  const messages = response.headers.get('content-type')?.startsWith('text/event-stream')
    ? text
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => JSON.parse(l.slice(5)) as Record<string, unknown>)
    : [JSON.parse(text) as Record<string, unknown>];
  return { status: response.status, messages, result: messages.at(-1)?.result as Record<string, unknown> | undefined };
}

test('capabilities keep what 2026-07-28 knows, and each brings its methods', () => {
  const legacy = { tools: {}, resources: { subscribe: true }, tasks: {} } as Record<string, unknown>;
  assert.deepEqual(modernCapabilities(legacy), { tools: {}, resources: { subscribe: true } });
  assert.deepEqual(servedMethods({ tools: {}, completions: {} }), ['tools/list', 'tools/call', 'completion/complete']);
});

test('discover names the versions of both eras, with the capabilities and private cache hints', async () => {
  const { result } = await serve('server/discover');
  assert.deepEqual(result?.supportedVersions, [...GATEWAY_PROTOCOL_VERSIONS]);
  assert.equal(result?.instructions, 'gateway');
  assert.equal(result?.cacheScope, 'private');
  assert.equal(result?.resultType, 'complete');
  assert.deepEqual((result?._meta as Record<string, unknown>)['io.modelcontextprotocol/serverInfo'], {
    name: 'switchboard',
    version: '9',
  });
});

test('tools are listed by name; a list missing a server may not be cached; reads are never cached', async () => {
  const { result } = await serve('tools/list');
  assert.deepEqual(
    (result?.tools as { name: string }[]).map((tool) => tool.name),
    ['a', 'b', 'c'],
  );
  assert.equal(result?.ttlMs, 0);
  assert.notEqual(LIST_TTL_MS, 0);
  const read = await serve('resources/read', { uri: 'file:///x' });
  assert.equal(read.result?.ttlMs, 0);
  assert.equal(read.result?.cacheScope, 'private');
});

test('a method whose capability is not advertised is unknown (404)', async () => {
  const { status, messages } = await serve('prompts/list');
  assert.equal(status, 404);
  assert.equal((messages[0]?.error as { code: number }).code, -32601);
});

test('log messages reach only a request that set a log level, at that level or above', async () => {
  const silent = await serve('tools/call', { name: 'x', arguments: {} });
  assert.equal(silent.messages.filter((m) => m.method === 'notifications/message').length, 0);
  const asked = await serve(
    'tools/call',
    { name: 'x', arguments: {} },
    { ...META, 'io.modelcontextprotocol/logLevel': 'info' },
  );
  const logs = asked.messages.filter((m) => m.method === 'notifications/message');
  assert.deepEqual(
    logs.map((m) => (m.params as { level: string }).level),
    ['warning'],
  );
  assert.equal(asked.result?.resultType, 'complete');
});
