// Security catalogue T7: guessing tokens is slowed, and only the guessing is slowed.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { audit, echoCall, openSession, percentile, rpc, startCore, targetOf } from './mcp-session.ts';
import { jsonOf, rawRequest, rpcError } from './raw-http.ts';

const GUESSES = 100;
const ALLOWED = 10;

test('T7 brute force: after 10 wrong tokens the rest get 429, audited once, while a valid client is served', async (t) => {
  const h = await startCore(t);
  const target = targetOf(h);
  const session = await openSession(target);

  let guessing = true;
  const latencies: number[] = [];
  const validStatuses: number[] = [];
  const validClient = (async () => {
    let i = 0;
    while (guessing) {
      const started = performance.now();
      const response = await rpc(target, session, 'tools/call', echoCall(`call ${i}`));
      latencies.push(performance.now() - started);
      validStatuses.push(response.status);
      const content = (jsonOf(response).result as { content: { text: string }[] }).content;
      assert.equal(content[0]?.text, `call ${i}`);
      i += 1;
    }
  })();

  const statuses: number[] = [];
  for (let i = 0; i < GUESSES; i++) {
    const guess = `sbt_${randomBytes(8).toString('hex')}_${randomBytes(32).toString('base64url')}`;
    const response = await rawRequest(
      { ...target, token: guess },
      { body: '{"jsonrpc":"2.0","id":1,"method":"ping"}' },
    );
    statuses.push(response.status);
    rpcError(response);
    if (response.status === 429) assert.ok(Number(response.headers['retry-after']) >= 1, 'Retry-After is set');
  }
  guessing = false;
  await validClient;

  // Told by counts, not by the clock: the 11th guess found all ten failures before it in the window, and every
  // guess after it stayed throttled in that one burst (a burst that lapsed would be audited again).
  assert.deepEqual(statuses.slice(0, ALLOWED), new Array(ALLOWED).fill(401));
  assert.deepEqual(statuses.slice(ALLOWED), new Array(GUESSES - ALLOWED).fill(429));
  assert.equal(audit(h, { kind: 'auth', outcome: 'unauthenticated' }).length, ALLOWED);
  const throttled = audit(h, { kind: 'auth', outcome: 'throttled' });
  assert.equal(throttled.length, 1, 'the burst is audited once');
  assert.equal(throttled[0]!.detail?.failuresInWindow, ALLOWED + 1);

  assert.ok(
    validStatuses.length > 0 && validStatuses.every((s) => s === 200),
    `valid client: ${validStatuses.join(',')}`,
  );
  // The throttle is still on, and a valid token still opens a session.
  const fresh = await openSession(target);
  assert.equal((await rpc(target, fresh, 'ping')).status, 200);
  t.diagnostic(
    `valid client during the guessing: ${latencies.length} calls, p50 ${percentile(latencies, 50).toFixed(1)} ms, ` +
      `p99 ${percentile(latencies, 99).toFixed(1)} ms`,
  );
});
