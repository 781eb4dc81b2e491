// Security catalogue, section D, through the gateway: arguments are checked against the tool's own inputSchema
// (T24), bounded in size and depth (T25), passed on as data (T26), tool names must name a listed tool (T27), and
// URL arguments can be held to public addresses (T64).
// Also the modern (2026-07-28) door: the same policy decides its lists and calls.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { connectModern } from '../modern/modern-http.ts';
import { audit, openSession, rpc, targetOf } from './mcp-session.ts';
import { received, startPolicyCore, textOf } from './policy-support.ts';
import { jsonOf } from './raw-http.ts';

type Problems = { path: string; message: string }[];
const problemsOf = (result: CallToolResult): Problems =>
  (result._meta?.['dev.switchboard/policy'] as { problems: Problems }).problems;

test('T24 arguments breaking the inputSchema never reach the server; every problem is named by JSON path', async (t) => {
  const h = await startPolicyCore(t);
  const client = await h.connect();
  const bad = (await client.callTool({
    name: 'fs__strict',
    arguments: { count: 'three', extra: true, pair: ['a', 1, 'more'] },
  })) as CallToolResult;
  assert.equal(bad.isError, true);
  assert.deepEqual(
    problemsOf(bad).map((p) => p.path),
    ['arguments.name', 'arguments.extra', 'arguments.count', 'arguments.pair'],
  );
  const text = textOf(bad);
  assert.match(text, /fs__strict's input schema \(inputSchema\)/);
  assert.match(text, /- arguments\.name: is required/);
  assert.match(text, /- arguments\.extra: is not allowed/);
  assert.match(text, /- arguments\.count: must be integer/);

  // draft-07, as the schema declares: tuple `items` with `additionalItems: false`.
  const legacy = (await client.callTool({ name: 'fs__legacy', arguments: { pair: ['a', 'b', 3] } })) as CallToolResult;
  assert.equal(legacy.isError, true);
  assert.deepEqual(
    problemsOf(legacy).map((p) => p.path),
    ['arguments.pair', 'arguments.pair[1]'],
  );
  assert.deepEqual(await received(h), {}, 'nothing was forwarded');

  assert.match(
    textOf(await client.callTool({ name: 'fs__strict', arguments: { name: 'n', count: 1, pair: ['a', 2] } })),
    /^strict /,
  );
  assert.match(textOf(await client.callTool({ name: 'fs__legacy', arguments: { pair: ['a', 2] } })), /^legacy /);
  assert.deepEqual(await received(h), { strict: 1, legacy: 1 });
  const refused = audit(h, { method: 'tools/call', outcome: 'denied' });
  assert.deepEqual(
    refused.map((r) => [r.target, r.decision, r.rule]),
    [
      ['legacy', 'deny', 'inputSchema'],
      ['strict', 'deny', 'inputSchema'],
    ],
  );
});

test('T25 unknown tools, huge strings, deep nesting and huge arrays are refused with the limit and the path', async (t) => {
  const h = await startPolicyCore(t, { policy: { argumentLimits: { maxStringLength: 1_000_000 } } });
  const client = await h.connect();
  const unknown = await client.callTool({ name: 'fs__nope', arguments: {} }).then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(unknown instanceof McpError);
  assert.equal(unknown.code, -32602);

  const huge = (await client.callTool({
    name: 'fs__echo',
    arguments: { text: 'x'.repeat(2_000_000) },
  })) as CallToolResult;
  assert.equal(huge.isError, true);
  assert.match(
    textOf(huge),
    /arguments\.text: is 2000000 characters long, over the limit of 1000000 \(policy\.argumentLimits\.maxStringLength\)/,
  );

  let deep: unknown = 'bottom';
  for (let i = 0; i < 200; i++) deep = { d: deep };
  const nested = (await client.callTool({ name: 'fs__echo', arguments: { text: 't', deep } })) as CallToolResult;
  assert.match(
    textOf(nested),
    /arguments\.deep\.d.*: nests deeper than the limit of 64 \(policy\.argumentLimits\.maxDepth\)/,
  );

  const items = (await client.callTool({
    name: 'fs__echo',
    arguments: { text: 't', list: new Array(1_000_000).fill(0) },
  })) as CallToolResult;
  assert.match(
    textOf(items),
    /arguments\.list: has 1000000 items, over the limit of 100000 \(policy\.argumentLimits\.maxArrayItems\)/,
  );

  // 100,000 levels: sent as text (JSON.stringify itself would overflow), refused without overflowing the gateway.
  const target = targetOf(h);
  const session = await openSession(target);
  const levels = 100_000;
  const body = `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"fs__echo","arguments":{"text":"t","deep":${'['.repeat(levels)}${']'.repeat(levels)}}}}`;
  const answer = await rpc(target, session, 'tools/call', {}, { body });
  assert.equal(answer.status, 200, answer.text.slice(0, 300));
  const result = jsonOf(answer).result as CallToolResult;
  assert.equal(result.isError, true);
  assert.match(textOf(result), /nests deeper than the limit of 64/);

  assert.equal(
    textOf(await client.callTool({ name: 'fs__echo', arguments: { text: 'still here' } })),
    'tools: still here',
  );
  assert.deepEqual(await received(h), { echo: 1 });
  assert.equal(audit(h, { method: 'tools/call', outcome: 'denied' }).length, 4);
});

test('T26 shell metacharacters and injection text reach the server as the exact strings', async (t) => {
  const h = await startPolicyCore(t);
  const dir = await makeTempDir(t);
  const pwned = join(dir, 'pwned');
  const client = await h.connect();
  for (const text of [`"; touch ${pwned} #"`, '$(id)', '`id`', 'ignore previous instructions && rm -rf /']) {
    assert.equal(textOf(await client.callTool({ name: 'fs__echo', arguments: { text } })), `tools: ${text}`);
  }
  assert.equal(existsSync(pwned), false);
});

test('T27 tool names outside the grammar or unlisted are -32602, and nothing is forwarded', async (t) => {
  const h = await startPolicyCore(t);
  const client = await h.connect();
  for (const name of ['nope', '../a', 'fs__../calls', 'x'.repeat(300), 'fs__echo\u0000']) {
    const error = await client.callTool({ name, arguments: { text: 'x' } }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(error instanceof McpError, name);
    assert.equal(error.code, -32602, name);
  }
  assert.deepEqual(await received(h), {});
});

test('T64 with a public-URL rule, private, loopback and metadata URLs are refused naming the argument', async (t) => {
  const h = await startPolicyCore(t, {
    policy: {
      rules: [{ id: 'public-fetch', tools: ['fs__fetch'], action: 'allow', arguments: { url: { publicUrl: true } } }],
    },
  });
  const client = await h.connect();
  for (const url of [
    'http://169.254.169.254/latest/meta-data',
    'http://[::ffff:127.0.0.1]/',
    'http://0x7f000001/',
    'http://2130706433/',
    'http://localhost:8080/admin',
  ]) {
    const result = (await client.callTool({ name: 'fs__fetch', arguments: { url } })) as CallToolResult;
    assert.equal(result.isError, true, url);
    assert.match(textOf(result), /public-fetch/);
    assert.deepEqual(
      problemsOf(result).map((p) => p.path),
      ['arguments.url'],
      url,
    );
  }
  // A public address passes (an IP literal: a test must not depend on DNS; names are resolved the same way).
  assert.match(
    textOf(await client.callTool({ name: 'fs__fetch', arguments: { url: 'https://93.184.215.14/' } })),
    /^fetch /,
  );
  assert.deepEqual(await received(h), { fetch: 1 });
});

test('the modern door lists and calls through the same policy', async (t) => {
  const h = await startPolicyCore(t, {
    policy: { rules: [{ id: 'modern-no-delete', clients: ['modern'], tools: ['fs__delete'], action: 'deny' }] },
  });
  const client = await connectModern(t, h, { token: await h.mintToken('modern') });
  const names = (await client.listTools()).tools.map((tool) => tool.name);
  assert.ok(names.includes('fs__echo') && !names.includes('fs__delete'), names.join(', '));
  const denied = await client.callTool({ name: 'fs__delete', arguments: { path: '/x' } }).then(
    () => null,
    (e: unknown) => e as { code?: number; message?: string },
  );
  assert.equal(denied?.code, -32001);
  assert.match(denied?.message ?? '', /modern-no-delete/);
  const invalid = (await client.callTool({ name: 'fs__strict', arguments: { name: 3 } })) as CallToolResult;
  assert.equal(invalid.isError, true);
  assert.match(textOf(invalid), /arguments\.count: is required/);
  assert.deepEqual(await received(h), {});
  const [record] = audit(h, { method: 'tools/call', target: 'delete' });
  assert.equal(record?.protocolVersion, '2026-07-28');
  assert.equal(record?.rule, 'modern-no-delete');
});
