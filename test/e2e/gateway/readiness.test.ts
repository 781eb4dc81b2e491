// `/readyz` is what a load balancer or Kubernetes trusts before sending traffic: it must not answer ready in the
// moment after the gateway starts listening and before the supervisor has been given the configured servers,
// when an empty list of servers would otherwise read as "every server running".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startBareGateway } from '../security/bare-gateway.ts';

test('/readyz is 503 until the configured servers are applied, then judges them', async (t) => {
  const bare = await startBareGateway();
  t.after(() => bare.close());
  const readyz = async () => {
    const response = await fetch(`http://127.0.0.1:${bare.port}/readyz`);
    return { status: response.status, body: (await response.json()) as { status: string } };
  };
  const early = await readyz();
  assert.equal(early.status, 503);
  assert.equal(early.body.status, 'not-ready');
  const health = await fetch(`http://127.0.0.1:${bare.port}/healthz`);
  assert.equal(health.status, 200, '/healthz answers alive meanwhile');
  bare.serversApplied();
  const applied = await readyz();
  assert.equal(applied.status, 200);
  assert.equal(applied.body.status, 'ready');
});
