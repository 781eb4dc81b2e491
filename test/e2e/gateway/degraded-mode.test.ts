// Degraded mode: while a server is down, a tool it opted into caching answers with its last good result for the
// same arguments, labelled as cached with its age; every other call fails at once saying why and when the next
// retry is; and policy still decides first.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { gatewayFixtureServer, isRunning, startHarness } from '../../helpers/gateway-harness.ts';
import { refusal } from '../security/policy-support.ts';

test('a cacheable tool answers from its last good result while its server is down; others fail fast', async (t) => {
  const h = await startHarness({
    servers: { gw: { ...gatewayFixtureServer(), degraded: { tools: ['echo'], maxAgeMs: 60_000 } } },
    policy: { rules: [{ id: 'no-echo-for-x', clients: ['x'], tools: ['gw__echo'], action: 'deny' }] },
  });
  t.after(() => h.close());
  await h.waitForState('gw', isRunning);
  const client = await h.connect();
  const fresh = (await client.callTool({ name: 'gw__echo', arguments: { text: 'kept' } })) as CallToolResult;
  assert.deepEqual(fresh.content, [{ type: 'text', text: 'kept' }]);

  const stopped = await h.core.serverAction('gw', 'stop');
  assert.ok(stopped.ok);
  await h.waitForState('gw', (s) => s.state === 'stopped');

  const cached = (await client.callTool({ name: 'gw__echo', arguments: { text: 'kept' } })) as CallToolResult;
  assert.deepEqual(cached.content[0], { type: 'text', text: 'kept' }, 'the result as it was');
  const note = (cached.content[1] as { text: string }).text;
  assert.match(note, /server "gw" is down, so this is its cached result from \d+ s ago/);
  const meta = cached._meta?.['dev.switchboard/cached'] as { ageMs: number; storedAt: string };
  assert.ok(meta.ageMs >= 0 && !Number.isNaN(Date.parse(meta.storedAt)));

  const other = await refusal(client.callTool({ name: 'gw__echo', arguments: { text: 'never seen' } }));
  assert.equal(other.code, -32003);
  assert.match(other.message, /gw/);
  const notCacheable = await refusal(client.callTool({ name: 'gw__sleep', arguments: { ms: 1 } }));
  assert.equal(notCacheable.code, -32003);

  // Policy decides first: a client denied the tool gets no cached answer either.
  const x = await h.connect({ token: await h.mintToken('x') });
  const denied = await refusal(x.callTool({ name: 'gw__echo', arguments: { text: 'kept' } }));
  assert.equal(denied.code, -32001);
  assert.match(denied.message, /no-echo-for-x/);

  const records = h.core.audit
    .query({ limit: 100, target: 'echo' })
    .events.reverse()
    .map((r) => [r.client, r.outcome, (r.detail as { cached?: unknown } | null)?.cached !== undefined]);
  assert.deepEqual(records, [
    ['test-client', 'ok', false],
    ['test-client', 'ok', true],
    ['test-client', 'unavailable', false],
    ['x', 'denied', false],
  ]);
});
