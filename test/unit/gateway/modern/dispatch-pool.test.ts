import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DispatchPool } from '../../../../main/gateway/modern/dispatch-pool.ts';
import type { LegacyDispatch } from '../../../../main/gateway/modern/legacy-dispatch.ts';

/** A stand-in that only counts its shutdowns (the pool uses nothing else of it). */
function fakeDispatch(): LegacyDispatch & { shutdowns: number } {
  const fake = {
    shutdowns: 0,
    onended: undefined as (() => void) | undefined,
    async shutdown() {
      fake.shutdowns += 1;
      fake.onended?.();
    },
  };
  return fake as unknown as LegacyDispatch & { shutdowns: number };
}

test('requests of one key share one session server, opened once', async () => {
  const pool = new DispatchPool(1_000);
  let opened = 0;
  const open = async () => {
    opened += 1;
    return fakeDispatch();
  };
  const [a, b] = await Promise.all([pool.acquire('k', 't', open), pool.acquire('k', 't', open)]);
  assert.equal(opened, 1);
  assert.equal(a.dispatch, b.dispatch);
  const other = await pool.acquire('other', 't', open);
  assert.notEqual(other.dispatch, a.dispatch);
  a.release();
  b.release();
  other.release();
  await pool.closeAll();
});

test('an unused session server is shut down after the idle time; one in use is kept', async () => {
  const pool = new DispatchPool(40);
  const dispatch = fakeDispatch();
  const lease = await pool.acquire('k', 't', async () => dispatch);
  await sleep(80);
  assert.equal(dispatch.shutdowns, 0, 'in use');
  lease.release();
  lease.release();
  await sleep(80);
  assert.equal(dispatch.shutdowns, 1);
  assert.equal(pool.size, 0);
});

test("a revoked token's session servers are shut down; a failed open is not kept", async () => {
  const pool = new DispatchPool(1_000);
  const kept = fakeDispatch();
  const dropped = fakeDispatch();
  (await pool.acquire('a', 'keep', async () => kept)).release();
  (await pool.acquire('b', 'revoke', async () => dropped)).release();
  pool.dropTokens((token) => token === 'keep');
  await sleep(0);
  assert.equal(dropped.shutdowns, 1);
  assert.equal(kept.shutdowns, 0);
  await assert.rejects(
    pool.acquire('c', 'keep', async () => Promise.reject(new Error('no'))),
    /no/,
  );
  await sleep(0);
  assert.equal(pool.size, 1);
  await pool.closeAll();
  assert.equal(kept.shutdowns, 1);
});

test('a hold keeps the session server beyond its request, until it is let go', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const pool = new DispatchPool(1_000);
  const dispatch = fakeDispatch();
  const lease = await pool.acquire('k', 't', async () => dispatch);
  const letGo = lease.hold();
  lease.release();
  t.mock.timers.tick(10_000);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(dispatch.shutdowns, 0, 'held: no idle time runs');
  letGo();
  letGo();
  t.mock.timers.tick(999);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(dispatch.shutdowns, 0);
  t.mock.timers.tick(1);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(dispatch.shutdowns, 1, 'let go once, however often called; then idle as usual');
});
