// Pause gateway (the desktop tray's entry): while paused every MCP request gets 503 with a reason, a session
// opened before stays, and after resuming the same session calls again. A real core, a real stdio server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixtureServer, isRunning, startHarness } from '../../helpers/gateway-harness.ts';

test('a paused gateway refuses requests with 503 and a reason; resumed, the same session goes on', async (t) => {
  const harness = await startHarness({ servers: { echo: fixtureServer() } });
  t.after(() => harness.close());
  await harness.waitForState('echo', isRunning);
  const client = await harness.connect();
  const call = () => client.callTool({ name: 'echo__echo', arguments: { text: 'hi' } });
  assert.deepEqual((await call()).content, [{ type: 'text', text: 'hi' }]);

  harness.core.setGatewayPaused(true);
  assert.equal(harness.core.gatewayPaused, true);
  await assert.rejects(call(), /503|paused in Switchboard/);
  const raw = await fetch(harness.url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${harness.token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }),
  });
  assert.equal(raw.status, 503);
  assert.match(await raw.text(), /paused in Switchboard; resume it from the tray/);

  harness.core.setGatewayPaused(false);
  assert.deepEqual((await call()).content, [{ type: 'text', text: 'hi' }]);
});
