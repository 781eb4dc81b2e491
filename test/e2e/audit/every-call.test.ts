// T42: every call produces exactly one record with the deciding rule. 100 calls mixing success, a tool's own
// failure, arguments its inputSchema refuses, a call a policy rule denies and a call that times out leave exactly
// 100 records, each with client, server, tool, outcome, decision, rule, duration and masked arguments.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixtureServer, startHarness } from '../../helpers/gateway-harness.ts';

const KEY = 'sk-live-abcdefghijklmnopqrstuv';

test('T42 100 mixed calls leave exactly 100 records, each complete', async () => {
  const h = await startHarness({
    servers: { fx: { ...fixtureServer('echo'), timeouts: { callMs: 400 } } },
    policy: { rules: [{ id: 'no-env', tools: ['fx__env'], action: 'deny' }] },
  });
  try {
    await h.waitForState('fx', (s) => s.state === 'running');
    const client = await h.connect({ token: await h.mintToken('mixer') });
    const before = h.core.audit.query({ method: 'tools/call', limit: 10_000 }).events.length;
    const kinds = [
      { name: 'fx__echo', arguments: { text: `hello ${KEY}` }, outcome: 'ok' },
      { name: 'fx__leak', arguments: { how: 'error' }, outcome: 'tool-error' },
      { name: 'fx__echo', arguments: { text: 42 }, outcome: 'denied' },
      { name: 'fx__env', arguments: {}, outcome: 'denied' },
      { name: 'fx__hang', arguments: {}, outcome: 'timeout' },
    ] as const;
    const calls = Array.from({ length: 100 }, (_, i) => kinds[i % kinds.length]!);
    await Promise.all(calls.map((c) => client.callTool({ name: c.name, arguments: c.arguments }).catch(() => null)));
    const records = h.core.audit.query({ method: 'tools/call', limit: 10_000 }).events.slice(0, 100);
    const fresh = h.core.audit.query({ method: 'tools/call', limit: 10_000 }).events.length - before;
    assert.equal(fresh, 100, 'exactly one record per call');
    const counts: Record<string, number> = {};
    for (const r of records) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
    assert.deepEqual(counts, { ok: 20, 'tool-error': 20, denied: 40, timeout: 20 });
    for (const r of records) {
      assert.equal(r.client, 'mixer');
      assert.equal(r.server, 'fx');
      assert.ok(r.target !== null && r.target.length > 0);
      const [decision, rule] =
        r.outcome !== 'denied'
          ? ['allow', 'default']
          : r.target === 'env'
            ? ['deny', 'no-env']
            : ['deny', 'inputSchema'];
      assert.equal(r.decision, decision, `${r.target} ${r.outcome}`);
      assert.equal(r.rule, rule, `${r.target} ${r.outcome}`);
      assert.ok(r.durationMs !== null && r.durationMs >= 0);
      assert.ok(r.arguments !== null);
      assert.equal(r.arguments.includes(KEY), false, 'arguments are masked');
    }
    const timeout = records.find((r) => r.outcome === 'timeout')!;
    assert.match(timeout.error!, /callMs/);
    const refused = records.find((r) => r.outcome === 'denied' && r.target === 'echo')!;
    assert.match(refused.error ?? '', /arguments\.text: must be string/);
  } finally {
    await h.close();
  }
});
