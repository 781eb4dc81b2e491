// Tool definition integrity through a real core (security-tests.md section E): a fixture server publishing icons of
// every scheme (T65), a tool whose structuredContent breaks its outputSchema (T66), and a tool policy.toolQuality
// blocks for failing tool lint, each seen by a real MCP SDK client, with the audit records the calls left.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { McpError } from '@modelcontextprotocol/sdk/types.js';
import type { ConfigInput } from '../../../main/config/schema.ts';
import { NODE, REPO, isRunning, startHarness, type Harness } from '../../helpers/gateway-harness.ts';
import { asMcpError } from '../gateway/support.ts';
import { audit } from './mcp-session.ts';

const METADATA_FIXTURE = join(REPO, 'test/fixtures/metadata-server.ts');
const SAFE = [
  'https://example.com/icon.png',
  'data:image/svg+xml,%3Csvg%20xmlns%3D%22http%3A//www.w3.org/2000/svg%22/%3E',
];

async function startMetadataCore(t: TestContext, policy: ConfigInput['policy'] = {}): Promise<Harness> {
  const h = await startHarness({ servers: { meta: { command: NODE, args: [METADATA_FIXTURE] } }, policy });
  t.after(() => h.close());
  await h.waitForState('meta', isRunning);
  return h;
}

/** The JSON-RPC error the call ends with; a call that succeeds fails the test. */
const failure = (promise: Promise<unknown>): Promise<McpError> => promise.then(asMcpError, asMcpError);

const srcs = (item: { icons?: { src: string }[] } | undefined): string[] | undefined => item?.icons?.map((i) => i.src);

async function everyIconList(client: Client, prefix: string): Promise<Record<string, string[] | undefined>> {
  const tools = await client.listTools();
  const prompts = await client.listPrompts();
  const resources = await client.listResources();
  const templates = await client.listResourceTemplates();
  const linked = await client.callTool({ name: `${prefix}link`, arguments: {} });
  const prompt = await client.getPrompt({ name: `${prefix}greet` });
  return {
    tool: srcs(tools.tools.find((tool) => tool.name === `${prefix}link`)),
    prompt: srcs(prompts.prompts.find((p) => p.name === `${prefix}greet`)),
    resource: srcs(resources.resources.find((r) => r.name === 'readme')),
    template: srcs(templates.resourceTemplates.find((r) => r.name === 'notes')),
    'tool result link': srcs((linked.content as { icons?: { src: string }[] }[])[0]),
    'prompt message link': srcs(prompt.messages[0]!.content as { icons?: { src: string }[] }),
  };
}

test('T65 icons with javascript:, file:, ftp:, ws:, app or http schemes never reach a client; https and data images do', async (t) => {
  const h = await startMetadataCore(t);
  const expected = Object.fromEntries(
    ['tool', 'prompt', 'resource', 'template', 'tool result link', 'prompt message link'].map((k) => [k, SAFE]),
  );
  assert.deepEqual(await everyIconList(await h.connect(), 'meta__'), expected);
  assert.deepEqual(await everyIconList(await h.connect({ path: '/mcp/meta' }), ''), expected, 'on /mcp/meta');
});

test('T66 structuredContent breaking the outputSchema: the client gets an error naming server and tool, and the audit records it', async (t) => {
  const h = await startMetadataCore(t);
  const client = await h.connect();
  const good = await client.callTool({ name: 'meta__stats', arguments: {} });
  assert.deepEqual(good.structuredContent, { count: 3, label: 'three' });

  const error = await failure(client.callTool({ name: 'meta__stats', arguments: { valid: false } }));
  assert.equal(error.code, -32603);
  assert.match(
    error.message,
    /server "meta", tool "stats": the server's result was withheld because its structuredContent does not match the tool's outputSchema/,
  );
  assert.match(error.message, /structuredContent\.count must be integer; structuredContent\.label must be string/);
  assert.ok(
    !JSON.stringify({ message: error.message, data: error.data }).includes('three'),
    'the invalid data stays out',
  );
  assert.deepEqual((error.data as { server: string; tool: string }).server, 'meta');

  const missing = await failure(client.callTool({ name: 'meta__stats', arguments: { omit: true } }));
  assert.match(
    missing.message,
    /server "meta", tool "stats": .* has no structuredContent, though the tool declares an outputSchema/,
  );

  const records = audit(h, { method: 'tools/call', target: 'stats' }).reverse();
  assert.deepEqual(
    records.map((r) => [r.outcome, r.decision]),
    [
      ['ok', 'allow'],
      ['protocol-error', 'allow'],
      ['protocol-error', 'allow'],
    ],
  );
  assert.equal(`MCP error -32603: ${records[1]!.error}`, error.message);
  // The fixture's read-only claim is noted too: its server is not trusted (T60).
  assert.deepEqual(records[1]!.detail?.outputSchema, {
    problems: [
      { path: 'structuredContent.count', message: 'must be integer' },
      { path: 'structuredContent.label', message: 'must be string' },
    ],
  });
  assert.deepEqual(records[2]!.detail?.outputSchema, {
    problems: [{ path: 'structuredContent', message: 'is missing' }],
  });
});

test('policy.toolQuality: a tool failing a blocked lint rule is hidden and its call refused naming the rule', async (t) => {
  const h = await startMetadataCore(t, { toolQuality: { block: ['description-missing'] } });
  const client = await h.connect();
  const names = (await client.listTools()).tools.map((tool) => tool.name).sort();
  assert.deepEqual(names, ['meta__link', 'meta__stats']);

  const error = await failure(client.callTool({ name: 'meta__undocumented', arguments: {} }));
  assert.equal(error.code, -32001);
  assert.match(
    error.message,
    /^MCP error -32001: meta__undocumented: refused by policy\.toolQuality: its definition fails lint rule description-missing/,
  );
  assert.deepEqual(error.data, {
    rule: 'policy.toolQuality',
    lint: [{ rule: 'description-missing', path: 'description' }],
  });

  const [record] = audit(h, { method: 'tools/call', target: 'undocumented' });
  assert.equal(record?.outcome, 'denied');
  assert.equal(record?.rule, 'policy.toolQuality');
  assert.deepEqual(record?.detail, { toolQuality: [{ rule: 'description-missing', path: 'description' }] });

  // The dashboard's catalog shows every tool with its findings, blocked or not.
  const catalog = await h.core.controlApi.catalog({});
  const tools = catalog.ok ? catalog.value.servers.find((s) => s.server === 'meta')!.tools : [];
  const lint = Object.fromEntries(tools.map((tool) => [tool.name, (tool.lint ?? []).map((f) => f.rule)]));
  assert.deepEqual(lint, {
    meta__link: [],
    meta__stats: [],
    meta__undocumented: [
      'description-missing',
      'param-description-missing',
      'param-type-missing',
      'annotations-missing',
    ],
  });
});
