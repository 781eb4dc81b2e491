import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fixtureServer, isRunning, startHarness, type Harness } from '../../helpers/gateway-harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness({ servers: { echo: fixtureServer('echo') } });
  await h.waitForState('echo', isRunning);
});
after(() => h.close());

test('a tool call reaches the server through /mcp and /mcp/<server>', async () => {
  const client = await h.connect();
  const { tools } = await client.listTools();
  assert.ok(tools.some((t) => t.name === 'echo__echo'));
  const result = await client.callTool({ name: 'echo__echo', arguments: { text: 'hello' } });
  assert.deepEqual(result.content, [{ type: 'text', text: 'hello' }]);
  const scoped = await h.connect({ path: '/mcp/echo' });
  const direct = await scoped.callTool({ name: 'echo', arguments: { text: 'scoped' } });
  assert.deepEqual(direct.content, [{ type: 'text', text: 'scoped' }]);
  const audit = h.core.audit.query({ method: 'tools/call', limit: 10_000 }).events;
  assert.equal(audit.length, 2);
  assert.ok(audit.every((e) => e.outcome === 'ok' && e.client === 'test-client' && e.server === 'echo'));
});
