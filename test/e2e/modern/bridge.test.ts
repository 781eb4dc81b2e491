// T55 over `switchboard bridge`: a modern stdio client (SDK 2.x pinned to 2026-07-28) reaches the gateway through
// the bridge, which adds what HTTP asks of a modern client and stdio does not: the mirrored headers (Mcp-Param-*
// included, from the schemas of the tools it has listed) and, for a stdio cancel, closing the HTTP response.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, ProtocolError } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { NODE, REPO, isRunning, startHarness, type Harness } from '../../helpers/gateway-harness.ts';
import { BIN } from '../cli/serve-process.ts';
import { waitUntil } from '../gateway/support.ts';
import { targetOf, within } from '../security/mcp-session.ts';
import { MODERN, cancellations, modernFixtureServer, upstreamCalls } from './modern-http.ts';

let h: Harness;
let client: Client;
let stderr = '';

before(async () => {
  h = await startHarness({ servers: { fx: modernFixtureServer() } });
  await h.waitForState('fx', isRunning);
  const transport = new StdioClientTransport({
    command: NODE,
    args: [BIN, 'bridge', '--client', 'test-client', '--url', h.url],
    env: { ...(process.env as Record<string, string>), SWITCHBOARD_TOKEN: h.token },
    cwd: REPO,
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  client = new Client({ name: 'bridged-modern', version: '1.0.0' }, { versionNegotiation: { mode: { pin: MODERN } } });
  await client.connect(transport);
});
after(async () => {
  await client.close();
  await h.close();
});

test('T55 via the bridge: discover, a sorted cacheable tool list, calls with mirrored headers, no session', async () => {
  assert.equal(client.getNegotiatedProtocolVersion(), MODERN);
  const discovered = await client.discover();
  assert.ok(discovered.supportedVersions.includes(MODERN) && discovered.supportedVersions.includes('2025-11-25'));
  const { tools } = await client.listTools();
  const names = tools.map((tool) => tool.name);
  assert.deepEqual(names, [...names].sort());
  // greet's arguments are mirrored into Mcp-Param-* headers by the bridge; the gateway checks them.
  const greeted = await client.callTool({ name: 'fx__greet', arguments: { name: 'Grüße', count: 4 } });
  assert.deepEqual(greeted.content, [{ type: 'text', text: 'hello Grüße x4' }]);
  assert.equal(h.core.status().sessions, 0, 'no session was opened');
  assert.equal(stderr, '', 'the bridge reported nothing');
});

test('T55 via the bridge: an unknown method is -32601; listen delivers the opted-in notifications', async () => {
  const anything = { '~standard': { version: 1 as const, vendor: 'test', validate: (value: unknown) => ({ value }) } };
  const unknown = await (async () => client.request({ method: 'unknown/method', params: {} }, anything))().catch(
    (error: unknown) => error,
  );
  assert.ok(unknown instanceof ProtocolError, String(unknown));
  assert.equal(unknown.code, -32601);

  const changed = new Promise<void>((resolve) =>
    client.setNotificationHandler('notifications/tools/list_changed', () => resolve()),
  );
  const subscription = await client.listen({ toolsListChanged: true });
  assert.deepEqual(subscription.honoredFilter, { toolsListChanged: true });
  await client.callTool({ name: 'fx__add-tool', arguments: { text: 'bridged' } });
  await within(changed, 10_000, 'tools/list_changed through the bridge');
  await subscription.close();
});

test('T58 via the bridge: a stdio cancel closes the HTTP response, and the upstream hears it', async (t) => {
  const target = targetOf(h);
  const calls = (await upstreamCalls(target)).sleep ?? 0;
  const seen = cancellations(h, 'fx').length;
  const controller = new AbortController();
  const call = client.callTool({ name: 'fx__sleep', arguments: { ms: 10_000 } }, { signal: controller.signal });
  await waitUntil(async () => ((await upstreamCalls(target)).sleep ?? 0) > calls, 'the call to reach the upstream');
  assert.equal(cancellations(h, 'fx').length, seen, 'the upstream heard a cancel before the client sent one');
  const cancelledAt = Date.now();
  controller.abort('stop');
  await assert.rejects(call);
  // The guard only stops a hang: uncancelled, the sleep would run its 10 s and end without any cancel.
  const cancelled = await waitUntil(() => cancellations(h, 'fx')[seen], 'the upstream to record the cancel', 20_000);
  t.diagnostic(`the upstream heard the cancel ${cancelled.at - cancelledAt} ms after the client's`);
  assert.equal(cancelled.tool, 'sleep');
});
