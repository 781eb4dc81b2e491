// The reference MCP servers, run for real and used through the gateway: server-everything, server-filesystem and
// server-memory over stdio, and server-everything as a remote server over Streamable HTTP and over legacy SSE.
// Each is listed and called through /mcp (as <server>__<tool>) and through /mcp/<server> (its own names).
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { deliverNotificationsFirst } from '../../../main/supervisor/notifications-first.ts';
import { NODE, binOf, isRunning, startHarness, type Harness } from '../../helpers/gateway-harness.ts';
import { startEverythingHost, type EverythingHost } from './everything-host.ts';
import { report } from './support.ts';

let h: Harness;
let work: string;
let streamable: EverythingHost;
let sse: EverythingHost;
let client: Client;

const SERVERS = ['everything', 'filesystem', 'memory', 'remote', 'legacy'] as const;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'switchboard-real-'));
  await writeFile(join(work, 'hello.txt'), 'hello from the filesystem server\n');
  streamable = await startEverythingHost('streamable');
  sse = await startEverythingHost('sse');
  h = await startHarness({
    servers: {
      everything: { command: NODE, args: [binOf('@modelcontextprotocol/server-everything', 'dist/index.js'), 'stdio'] },
      filesystem: { command: NODE, args: [binOf('@modelcontextprotocol/server-filesystem', 'dist/index.js'), work] },
      memory: {
        command: NODE,
        args: [binOf('@modelcontextprotocol/server-memory', 'dist/index.js')],
        env: { MEMORY_FILE_PATH: join(work, 'memory.jsonl') },
      },
      remote: { url: streamable.url },
      // transport "http" on purpose: the supervisor must fall back to SSE by itself.
      legacy: { url: sse.url },
    },
  });
  await Promise.all(SERVERS.map((name) => h.waitForState(name, isRunning)));
  client = await h.connect();
});

after(async () => {
  await h.close();
  await Promise.all([streamable.close(), sse.close()]);
  await rm(work, { recursive: true, force: true });
});

function text(result: unknown): string {
  const content = ((result as { content?: unknown }).content ?? []) as { type: string; text?: string }[];
  return content.map((c) => c.text ?? '').join('\n');
}

test('/mcp lists every server’s tools under <server>__<tool>, and nothing is missing', async (t) => {
  const started = performance.now();
  const listed = await client.listTools();
  report(t, 'tools/list over five real servers', performance.now() - started);
  report(t, 'tools listed', String(listed.tools.length));
  const names = new Set(listed.tools.map((tool) => tool.name));
  for (const expected of [
    'everything__echo',
    'everything__trigger-long-running-operation',
    'filesystem__read_text_file',
    'filesystem__list_directory',
    'memory__create_entities',
    'memory__read_graph',
    'remote__echo',
    'remote__get-sum',
    'legacy__echo',
  ]) {
    assert.ok(names.has(expected), `${expected} missing from ${[...names].join(', ')}`);
  }
  assert.equal(listed._meta?.['dev.switchboard/unavailable'], undefined);
  for (const name of names) assert.match(name, /^[A-Za-z0-9_.-]{1,128}$/);
  assert.equal(names.size, listed.tools.length, 'two tools share a name');
});

test('stdio servers answer through /mcp', async () => {
  assert.equal(text(await client.callTool({ name: 'everything__echo', arguments: { message: 'hi' } })), 'Echo: hi');
  const file = await client.callTool({
    name: 'filesystem__read_text_file',
    arguments: { path: join(work, 'hello.txt') },
  });
  assert.equal(text(file).trim(), 'hello from the filesystem server');
  const denied = await client.callTool({ name: 'filesystem__read_text_file', arguments: { path: '/etc/hostname' } });
  assert.equal(denied.isError, true, 'the filesystem server read outside its folder');

  await client.callTool({
    name: 'memory__create_entities',
    arguments: { entities: [{ name: 'switchboard', entityType: 'project', observations: ['routes MCP'] }] },
  });
  const graph = await client.callTool({ name: 'memory__read_graph', arguments: {} });
  assert.match(text(graph), /switchboard/);
});

test('remote servers answer through /mcp: Streamable HTTP, and legacy SSE by fallback', async () => {
  assert.equal(text(await client.callTool({ name: 'remote__echo', arguments: { message: 'far' } })), 'Echo: far');
  assert.match(text(await client.callTool({ name: 'remote__get-sum', arguments: { a: 2, b: 3 } })), /5/);
  assert.equal(text(await client.callTool({ name: 'legacy__echo', arguments: { message: 'old' } })), 'Echo: old');
  assert.ok(streamable.sessions() >= 1 && sse.sessions() >= 1);
});

test('progress of a remote server reaches the caller, every step before the result', async () => {
  // A caller that keeps notifications ahead of results (the SDK's Client alone may drop the last one).
  const transport = new StreamableHTTPClientTransport(new URL(h.url), {
    requestInit: { headers: { authorization: `Bearer ${h.token}` } },
  });
  deliverNotificationsFirst(transport);
  const ordered = new Client({ name: 'ordered', version: '1.0.0' });
  await ordered.connect(transport);
  try {
    for (const server of ['remote', 'legacy']) {
      const seen: number[] = [];
      const result = await ordered.callTool(
        { name: `${server}__trigger-long-running-operation`, arguments: { duration: 0.4, steps: 4 } },
        CallToolResultSchema,
        { onprogress: (p) => seen.push(p.progress) },
      );
      assert.deepEqual(seen, [1, 2, 3, 4], `${server}: ${JSON.stringify(result.content)}`);
    }
  } finally {
    await ordered.close();
  }
});

test('/mcp/<server> serves each server with its own tool names', async () => {
  for (const server of SERVERS) {
    const scoped = await h.connect({ path: `/mcp/${server}` });
    const { tools } = await scoped.listTools();
    assert.ok(tools.length > 0, `${server} lists no tools`);
    assert.ok(
      tools.every((tool) => !tool.name.startsWith(`${server}__`)),
      `${server} lists prefixed names`,
    );
  }
  const everything = await h.connect({ path: '/mcp/everything' });
  assert.equal(text(await everything.callTool({ name: 'echo', arguments: { message: 'own' } })), 'Echo: own');
  const legacy = await h.connect({ path: '/mcp/legacy' });
  assert.equal(text(await legacy.callTool({ name: 'echo', arguments: { message: 'sse' } })), 'Echo: sse');
  const fs = await h.connect({ path: '/mcp/filesystem' });
  const listing = await fs.callTool({ name: 'list_directory', arguments: { path: work } });
  assert.match(text(listing), /hello\.txt/);
  // A scoped endpoint does not reach other servers' tools, by either name.
  const other = await everything.callTool({ name: 'memory__read_graph', arguments: {} }).catch((e: Error) => e);
  assert.ok(other instanceof Error && /Unknown tool/.test(other.message));
});

test('every call was audited with client, server and tool', () => {
  const calls = h.core.audit.query({ method: 'tools/call', limit: 10_000 }).events;
  const servers = new Set(calls.map((e) => e.server));
  for (const server of SERVERS) assert.ok(servers.has(server), `no audit record for ${server}`);
  assert.ok(calls.every((e) => e.client === 'test-client' && e.target !== null));
});
