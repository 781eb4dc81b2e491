// Security catalogue T6: session ids are unguessable and bound to the client that created them.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Agent } from 'node:http';
import { syncBuiltinESMExports } from 'node:module';
import { test } from 'node:test';
import { initializeBody, openSession, rpc, startCore, targetOf, type OpenedSession } from './mcp-session.ts';
import { rawRequest } from './raw-http.ts';

const SESSIONS = 10_000;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The 122 bits of a v4 UUID that come from the CSPRNG (version and variant bits left out). */
function randomBits(id: string): string {
  const bits = [...id.replaceAll('-', '')].map((h) => parseInt(h, 16).toString(2).padStart(4, '0')).join('');
  return bits.slice(0, 48) + bits.slice(52, 64) + bits.slice(66);
}

test('T6 session ids: 10,000 sessions, all unique, visible ASCII, 122 CSPRNG bits, no counter or clock part', async (t) => {
  const h = await startCore(t, { servers: {} });
  const target = targetOf(h);

  // Where ids come from: crypto.randomUUID, and nothing else.
  const spy = t.mock.method(crypto, 'randomUUID');
  syncBuiltinESMExports();
  let spied: OpenedSession[];
  try {
    spied = await Promise.all([1, 2, 3].map(() => openSession(target)));
  } finally {
    spy.mock.restore();
    syncBuiltinESMExports();
  }
  const minted = new Set(spy.mock.calls.map((c) => String(c.result)));
  for (const session of spied) assert.ok(minted.has(session.id), `${session.id} came from crypto.randomUUID`);

  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  t.after(() => agent.destroy());
  const ids: string[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < SESSIONS) {
        next += 1;
        const init = await rawRequest(target, { agent, body: initializeBody() });
        const id = init.headers['mcp-session-id'];
        assert.equal(init.status, 200, init.text);
        assert.equal(typeof id, 'string');
        ids.push(id as string);
        // Closed at once so 10,000 sessions never hold memory together; ids must stay unique regardless.
        const closed = await rawRequest(target, {
          agent,
          method: 'DELETE',
          headers: { 'mcp-session-id': id as string },
        });
        assert.equal(closed.status, 204);
      }
    }),
  );
  t.diagnostic(`${SESSIONS} sessions opened and closed in ${Math.round(performance.now() - started)} ms`);

  assert.equal(ids.length, SESSIONS);
  assert.equal(new Set(ids).size, SESSIONS, 'all ids unique');
  for (const id of ids) {
    assert.ok(
      [...id].every((c) => c.charCodeAt(0) >= 0x21 && c.charCodeAt(0) <= 0x7e),
      `visible ASCII: ${id}`,
    );
    assert.match(id, UUID_V4, 'a version-4 (random) UUID: no clock part as in v1/v6/v7');
  }
  // Every random bit is set in about half the ids: a counter or a clock would leave high bits fixed. Bounds of
  // five standard deviations (n = 10,000: 5000 ± 250) make a false alarm a one-in-millions event.
  const ones = new Array<number>(122).fill(0);
  for (const id of ids) [...randomBits(id)].forEach((bit, i) => (ones[i]! += bit === '1' ? 1 : 0));
  const sigma = Math.sqrt(SESSIONS) / 2;
  for (const [position, count] of ones.entries()) {
    assert.ok(Math.abs(count - SESSIONS / 2) < 5 * sigma, `random bit ${position} is set in ${count} of ${SESSIONS}`);
  }
  // Consecutive ids share no structure: a counter would make neighbours differ in few bits.
  let distance = 0;
  for (let i = 1; i < ids.length; i++) {
    const [a, b] = [randomBits(ids[i - 1]!), randomBits(ids[i]!)];
    for (let j = 0; j < a.length; j++) distance += a[j] === b[j] ? 0 : 1;
  }
  const mean = distance / (ids.length - 1);
  assert.ok(Math.abs(mean - 61) < 1, `neighbouring ids differ in ${mean.toFixed(2)} of 122 bits on average`);

  // Each id is bound to its creator: the same id under another client's token is not found (T5 is the attack).
  const other = { ...target, token: await h.mintToken('other') };
  for (const session of spied) {
    assert.equal((await rpc(other, session, 'ping')).status, 404);
    assert.equal((await rpc(target, session, 'ping')).status, 200);
  }
});
