// Security catalogue, section B, T56: the headers a modern request mirrors from its body must match it, so
// policy, limits and audit never act on a header the body contradicts. Each mismatch is HTTP 400 with -32020
// (HeaderMismatch) and nothing is forwarded; `=?base64?…?=` values are decoded before comparing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { isRunning, startHarness, type Harness } from '../../helpers/gateway-harness.ts';
import { jsonOf, rpcError, type Target } from '../security/raw-http.ts';
import { targetOf, toolCalls } from '../security/mcp-session.ts';
import { envelope, modernBody, modernFixtureServer, modernPost, resultOf, upstreamCalls } from './modern-http.ts';

let h: Harness;
let target: Target;

before(async () => {
  h = await startHarness({ servers: { fx: modernFixtureServer() } });
  await h.waitForState('fx', isRunning);
  target = targetOf(h);
});
after(() => h.close());

const base64 = (text: string): string => `=?base64?${Buffer.from(text, 'utf8').toString('base64')}?=`;

interface Case {
  readonly what: string;
  readonly method?: string;
  readonly params?: Record<string, unknown>;
  readonly meta?: Record<string, unknown>;
  readonly headers: Record<string, string | undefined>;
}

const greet = (args: Record<string, unknown>): Record<string, unknown> => ({ name: 'fx__greet', arguments: args });

const MISMATCHES: readonly Case[] = [
  {
    what: 'Mcp-Name names another tool',
    params: { name: 'fx__echo', arguments: { text: 'x' } },
    headers: { 'mcp-name': 'fx__greet' },
  },
  {
    what: 'Mcp-Name is missing',
    params: { name: 'fx__echo', arguments: { text: 'x' } },
    headers: { 'mcp-name': undefined },
  },
  {
    what: 'Mcp-Name is base64 of another tool',
    params: { name: 'fx__echo', arguments: { text: 'x' } },
    headers: { 'mcp-name': base64('fx__greet') },
  },
  { what: 'Mcp-Method differs from method', params: greet({ name: 'a' }), headers: { 'mcp-method': 'tools/list' } },
  { what: 'Mcp-Method in another case', params: greet({ name: 'a' }), headers: { 'mcp-method': 'TOOLS/CALL' } },
  { what: 'Mcp-Method is missing', params: greet({ name: 'a' }), headers: { 'mcp-method': undefined } },
  {
    what: 'MCP-Protocol-Version differs from the _meta version',
    params: greet({ name: 'a' }),
    meta: envelope({}, '2026-09-01'),
    headers: {},
  },
  {
    what: 'MCP-Protocol-Version is missing',
    params: greet({ name: 'a' }),
    headers: { 'mcp-protocol-version': undefined },
  },
  { what: 'Mcp-Param-Name differs', params: greet({ name: 'Ada' }), headers: { 'mcp-param-name': 'Bob' } },
  { what: 'Mcp-Param-Name is missing', params: greet({ name: 'Ada' }), headers: {} },
  {
    what: 'Mcp-Param-Count differs',
    params: greet({ name: 'Ada', count: 2 }),
    headers: { 'mcp-param-name': 'Ada', 'mcp-param-count': '3' },
  },
  {
    what: 'Mcp-Param-Name base64 without padding',
    params: greet({ name: 'Hello' }),
    headers: { 'mcp-param-name': '=?base64?SGVsbG8?=' },
  },
  {
    what: 'Mcp-Param-Name base64 with invalid characters',
    params: greet({ name: 'Hello' }),
    headers: { 'mcp-param-name': '=?base64?SGVs!!!bG8=?=' },
  },
  {
    what: 'Mcp-Param-Name base64 of another value',
    params: greet({ name: 'Hello, 世界' }),
    headers: { 'mcp-param-name': base64('Hello, world') },
  },
];

test('T56 each header that contradicts the body is refused with 400 and -32020, and nothing is forwarded', async () => {
  const upstream = await upstreamCalls(target);
  const audited = toolCalls(h);
  for (const c of MISMATCHES) {
    const body = modernBody(c.method ?? 'tools/call', c.params ?? {}, c.meta);
    const response = await modernPost(target, body, { headers: c.headers });
    assert.equal(response.status, 400, `${c.what}: HTTP ${response.status} ${response.text.slice(0, 200)}`);
    const error = rpcError(response);
    assert.equal(error.code, -32020, `${c.what}: ${error.message}`);
    assert.equal(jsonOf(response).id, body.id, `${c.what}: the error carries the request id`);
  }
  assert.equal(toolCalls(h), audited, 'no call was audited: none was forwarded');
  assert.deepEqual(await upstreamCalls(target), upstream, 'the upstream received nothing');
});

test('T56 headers that match the body are served: base64 values decoded, numbers compared as numbers', async () => {
  const served: Case[] = [
    { what: 'plain Mcp-Param-Name', params: greet({ name: 'Ada' }), headers: { 'mcp-param-name': 'Ada' } },
    {
      what: 'base64 Mcp-Param-Name with non-ASCII text',
      params: greet({ name: 'Hello, 世界' }),
      headers: { 'mcp-param-name': '=?base64?SGVsbG8sIOS4lueVjA==?=' },
    },
    {
      what: 'base64 Mcp-Name',
      params: greet({ name: 'Ada' }),
      headers: { 'mcp-name': base64('fx__greet'), 'mcp-param-name': 'Ada' },
    },
    {
      what: 'integer Mcp-Param-Count, header names in any case',
      params: greet({ name: 'Ada', count: 2 }),
      headers: { 'MCP-PARAM-NAME': 'Ada', 'Mcp-Param-Count': '2.0' },
    },
    {
      what: 'a value that only starts like a sentinel is literal',
      params: greet({ name: '=?base64?abc' }),
      headers: { 'mcp-param-name': '=?base64?abc' },
    },
    {
      what: 'an absent argument needs no header',
      params: greet({ name: 'Ada' }),
      headers: { 'mcp-param-name': 'Ada' },
    },
  ];
  for (const c of served) {
    const response = await modernPost(target, modernBody('tools/call', c.params ?? {}), { headers: c.headers });
    assert.equal(response.status, 200, `${c.what}: ${response.text.slice(0, 300)}`);
    assert.equal(resultOf(response).resultType, 'complete', c.what);
  }
  const greeting = await modernPost(target, modernBody('tools/call', greet({ name: 'Hello, 世界', count: 3 })), {
    headers: { 'mcp-param-name': '=?base64?SGVsbG8sIOS4lueVjA==?=', 'mcp-param-count': '3' },
  });
  assert.deepEqual(resultOf(greeting).content, [{ type: 'text', text: 'hello Hello, 世界 x3' }]);
});
