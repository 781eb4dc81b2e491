import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mayBeModern } from '../../../../main/gateway/modern/protocol-eras.ts';
import { classifyPost } from '../../../../main/gateway/modern/request-ladder.ts';

const VERSION_KEY = 'io.modelcontextprotocol/protocolVersion';

test('mayBeModern lets every request the modern ladder would not call legacy through to it', () => {
  const cases: { headers: Record<string, string>; body: unknown }[] = [
    { headers: {}, body: { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25' } } },
    { headers: { 'mcp-protocol-version': '2025-11-25' }, body: { jsonrpc: '2.0', id: 2, method: 'tools/list' } },
    { headers: {}, body: { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'x', _meta: {} } } },
    {
      headers: {},
      body: { jsonrpc: '2.0', id: 4, method: 'tools/list', params: { _meta: { [VERSION_KEY]: '2026-07-28' } } },
    },
    { headers: { 'mcp-protocol-version': '2026-07-28' }, body: { jsonrpc: '2.0', id: 5, method: 'tools/list' } },
    {
      headers: {},
      body: [{ jsonrpc: '2.0', id: 6, method: 'ping', params: { _meta: { [VERSION_KEY]: '2026-07-28' } } }],
    },
    { headers: {}, body: [{ jsonrpc: '2.0', id: 7, method: 'ping' }] },
  ];
  for (const { headers, body } of cases) {
    const ladderSaysLegacy = classifyPost(headers, body).kind === 'legacy';
    // A request skipped by the pre-check must be one the full ladder calls legacy.
    if (!mayBeModern(headers, body)) assert.equal(ladderSaysLegacy, true, JSON.stringify({ headers, body }));
  }
  assert.equal(mayBeModern({}, cases[0]!.body), false);
  assert.equal(mayBeModern({}, cases[3]!.body), true);
  assert.equal(mayBeModern({ 'mcp-protocol-version': '2026-07-28' }, cases[1]!.body), true);
  assert.equal(mayBeModern({}, cases[5]!.body), true);
});
