import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { test } from 'node:test';
import { GATEWAY_PROTOCOL_VERSIONS, namesModernRevision } from '../../../../main/gateway/modern/protocol-eras.ts';
import { classifyPost, type EraVerdict } from '../../../../main/gateway/modern/request-ladder.ts';

const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
};

function request(method: string, params: Record<string, unknown> = {}, meta: Record<string, unknown> | null = META) {
  return { jsonrpc: '2.0', id: 9, method, params: meta === null ? params : { ...params, _meta: meta } };
}

function headers(method: string, extra: IncomingHttpHeaders = {}): IncomingHttpHeaders {
  return { 'mcp-protocol-version': '2026-07-28', 'mcp-method': method, ...extra };
}

function rejected(verdict: EraVerdict): { status: number; code: number; message: string; data?: unknown } {
  assert.equal(verdict.kind, 'reject', JSON.stringify(verdict));
  return verdict as { status: number; code: number; message: string; data?: unknown };
}

test('a request without the _meta envelope is legacy, initialize included', () => {
  assert.equal(classifyPost({}, request('tools/list', {}, null)).kind, 'legacy');
  assert.equal(classifyPost({ 'mcp-protocol-version': '2025-06-18' }, request('tools/list', {}, null)).kind, 'legacy');
  const init = request(
    'initialize',
    { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'a', version: '1' } },
    null,
  );
  assert.equal(classifyPost({}, init).kind, 'legacy');
  assert.equal(classifyPost({}, { jsonrpc: '2.0', method: 'notifications/initialized' }).kind, 'legacy');
  assert.equal(classifyPost({}, { jsonrpc: '2.0', id: 1, result: {} }).kind, 'legacy');
});

test('an enveloped request with matching headers is modern, at the version it names', () => {
  const verdict = classifyPost(headers('tools/call', { 'mcp-name': 'a__b' }), request('tools/call', { name: 'a__b' }));
  assert.equal(verdict.kind, 'modern');
  assert.equal(verdict.kind === 'modern' && verdict.messageKind === 'request' ? verdict.version : null, '2026-07-28');
  const note = classifyPost(headers('notifications/cancelled'), { jsonrpc: '2.0', method: 'notifications/cancelled' });
  assert.equal(note.kind === 'modern' ? note.messageKind : note.kind, 'notification');
});

test('an unsupported version is -32022 naming every version the gateway speaks, with the id of the request', () => {
  for (const version of ['1999-01-01', 'v999.0.0', '2025-11-25']) {
    const verdict = classifyPost(
      headers('tools/list', { 'mcp-protocol-version': version }),
      request('tools/list', {}, { ...META, 'io.modelcontextprotocol/protocolVersion': version }),
    );
    const error = rejected(verdict);
    assert.equal(error.status, 400, version);
    assert.equal(error.code, -32022, version);
    assert.deepEqual(error.data, { supported: [...GATEWAY_PROTOCOL_VERSIONS], requested: version });
    assert.equal((verdict as { id: unknown }).id, 9);
  }
});

test('headers that contradict the body or are missing are -32020; the version mismatch wins over support', () => {
  const cases: [string, IncomingHttpHeaders, ReturnType<typeof request>][] = [
    [
      'version header vs _meta',
      headers('tools/list'),
      request('tools/list', {}, { ...META, 'io.modelcontextprotocol/protocolVersion': 'v999.0.0' }),
    ],
    ['method header', headers('tools/list'), request('tools/call', { name: 'x' })],
    ['method header case', headers('TOOLS/LIST'), request('tools/list')],
    ['version header missing', { 'mcp-method': 'tools/list' }, request('tools/list')],
    ['method header missing', { 'mcp-protocol-version': '2026-07-28' }, request('tools/list')],
    ['name header missing', headers('tools/call'), request('tools/call', { name: 'x' })],
    ['name header differs', headers('tools/call', { 'mcp-name': 'y' }), request('tools/call', { name: 'x' })],
    [
      'uri header differs',
      headers('resources/read', { 'mcp-name': 'file:///b' }),
      request('resources/read', { uri: 'file:///a' }),
    ],
    [
      'name header bad base64',
      headers('prompts/get', { 'mcp-name': '=?base64?eA?=' }),
      request('prompts/get', { name: 'x' }),
    ],
  ];
  for (const [what, h, body] of cases) {
    const error = rejected(classifyPost(h, body));
    assert.equal(error.status, 400, what);
    assert.equal(error.code, -32020, `${what}: ${error.message}`);
  }
});

test('Mcp-Name is compared after decoding a base64 value; methods without a name need none', () => {
  const encoded = `=?base64?${Buffer.from('héllo').toString('base64')}?=`;
  assert.equal(
    classifyPost(headers('tools/call', { 'mcp-name': encoded }), request('tools/call', { name: 'héllo' })).kind,
    'modern',
  );
  assert.equal(classifyPost(headers('tools/list', { 'mcp-name': 'ignored' }), request('tools/list')).kind, 'modern');
});

test('a modern header without the envelope, or an envelope missing a key, is -32602', () => {
  assert.equal(rejected(classifyPost(headers('tools/list'), request('tools/list', {}, null))).code, -32602);
  const partial = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' };
  assert.equal(rejected(classifyPost(headers('tools/list'), request('tools/list', {}, partial))).code, -32602);
});

test('only headers naming 2026-07-28 or later claim the modern era', () => {
  assert.equal(namesModernRevision('2026-07-28'), true);
  assert.equal(namesModernRevision(' 2026-07-28 '), true);
  assert.equal(namesModernRevision('v999.0.0'), true);
  assert.equal(namesModernRevision('2025-11-25'), false);
  assert.equal(namesModernRevision(undefined), false);
});

test('a batch is legacy, or refused with -32600 when it holds a modern request', () => {
  assert.equal(
    classifyPost({}, [request('tools/list', {}, null), request('tools/call', { name: 'x' }, null)]).kind,
    'legacy',
  );
  const error = rejected(classifyPost({}, [request('tools/list', {}, null), request('tools/list')]));
  assert.equal(error.status, 400);
  assert.equal(error.code, -32600);
});
