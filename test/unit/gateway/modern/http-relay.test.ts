import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { ModernHttpRelay } from '../../../../main/gateway/modern/http-relay.ts';
import { decodeHeaderValue } from '../../../../main/protocol/param-headers.ts';

const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
};

/** A relay over a fetch that records what it was asked, answering each request with `answer`. */
function relayed(answer: () => Promise<Response> = async () => new Response('{}')) {
  const seen: { headers: Headers; signal: AbortSignal | null | undefined }[] = [];
  const relay = new ModernHttpRelay(async (_url, init) => {
    seen.push({ headers: new Headers(init?.headers), signal: init?.signal });
    return answer();
  });
  const send = (message: JSONRPCMessage) =>
    relay.fetch('http://127.0.0.1/mcp', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
    });
  return { relay, seen, send };
}

test('modern requests get their mirrored headers, Mcp-Param-* from the schemas of tools listed before', async () => {
  const { relay, seen, send } = relayed();
  const list = { jsonrpc: '2.0' as const, id: 1, method: 'tools/list', params: { _meta: META } };
  relay.fromClient(list);
  await send(list);
  relay.fromGateway({
    jsonrpc: '2.0',
    id: 1,
    result: {
      tools: [
        {
          name: 'a__greet',
          inputSchema: { type: 'object', properties: { who: { type: 'string', 'x-mcp-header': 'Who' } } },
        },
      ],
    },
  });
  const call = {
    jsonrpc: '2.0' as const,
    id: 2,
    method: 'tools/call',
    params: { name: 'a__greet', arguments: { who: 'Zoë' }, _meta: META },
  };
  relay.fromClient(call);
  await send(call);
  assert.equal(seen[0]!.headers.get('mcp-method'), 'tools/list');
  assert.equal(seen[0]!.headers.get('mcp-name'), null);
  const headers = seen[1]!.headers;
  assert.equal(headers.get('mcp-protocol-version'), '2026-07-28');
  assert.equal(headers.get('mcp-method'), 'tools/call');
  assert.equal(headers.get('mcp-name'), 'a__greet');
  assert.equal(decodeHeaderValue(headers.get('mcp-param-who')!), 'Zoë');
  assert.equal(headers.get('content-type'), 'application/json');
});

test('legacy messages pass untouched', async () => {
  const { relay, seen, send } = relayed();
  const legacy = { jsonrpc: '2.0' as const, id: 1, method: 'tools/call', params: { name: 'x' } };
  assert.equal(relay.fromClient(legacy), false);
  await send(legacy);
  assert.equal(seen[0]!.headers.get('mcp-protocol-version'), null);
  assert.equal(
    relay.fromClient({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } }),
    false,
  );
});

test("a modern client's notifications/cancelled closes that request's response instead of being forwarded", async () => {
  const { relay, seen, send } = relayed(() => new Promise<Response>(() => {}));
  const call = { jsonrpc: '2.0' as const, id: 'c1', method: 'tools/call', params: { name: 'x', _meta: META } };
  relay.fromClient(call);
  void send(call);
  await new Promise((resolve) => setImmediate(resolve));
  const cancel = { jsonrpc: '2.0' as const, method: 'notifications/cancelled', params: { requestId: 'c1' } };
  assert.equal(relay.fromClient(cancel), true, 'not forwarded');
  assert.equal(seen[0]!.signal?.aborted, true);
});
