import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LATENCY_CLASSES_MS, mixPlan, PAYLOAD_BYTES, seededRandom } from '../../../bench/mix-plan.ts';

test('the mix is the same on every run: same servers, same sequence of calls', () => {
  assert.deepEqual(mixPlan(500), mixPlan(500));
  assert.notDeepEqual(mixPlan(500, 1).calls, mixPlan(500, 2).calls);
});

test('20 servers cover every latency class and payload size, named so policy globs and /mcp names hold', () => {
  const { servers } = mixPlan(0);
  assert.equal(servers.length, 20);
  assert.equal(new Set(servers.map((s) => s.name)).size, 20);
  for (const s of servers) assert.match(s.name, /^mix-\d{2}$/);
  assert.deepEqual(
    [...new Set(servers.map((s) => s.sleepMs))].sort((a, b) => a - b),
    [...LATENCY_CLASSES_MS],
  );
  assert.deepEqual(
    [...new Set(servers.map((s) => s.bytes))].sort((a, b) => a - b),
    [...PAYLOAD_BYTES],
  );
});

test('calls favour quick tools but reach the slowest, and every index names a server', () => {
  const { servers, calls } = mixPlan(5_000);
  assert.equal(calls.length, 5_000);
  for (const i of calls) assert.ok(servers[i] !== undefined, `call to server index ${i}`);
  const share = (ms: number): number => calls.filter((i) => servers[i]!.sleepMs === ms).length / calls.length;
  assert.ok(share(1) > share(2_000), `1 ms share ${share(1)}, 2 s share ${share(2_000)}`);
  assert.ok(share(2_000) > 0);
  const meanSleep = calls.reduce((sum, i) => sum + servers[i]!.sleepMs, 0) / calls.length;
  assert.ok(meanSleep > 50 && meanSleep < 200, `mean tool time ${meanSleep} ms`);
});

test('the seeded generator stays in [0, 1) and repeats for a seed', () => {
  const a = seededRandom(42);
  const b = seededRandom(42);
  for (let i = 0; i < 1_000; i += 1) {
    const x = a();
    assert.equal(x, b());
    assert.ok(x >= 0 && x < 1);
  }
});
