// Security catalogue T46: sessions cannot pile up. Idle sessions expire after gateway.sessionIdleMs and their memory
// goes with them; a client at gateway.maxSessionsPerClient makes room by closing its least recently used idle
// session, and is refused (429, naming the setting) when all of them are in use. Scaled from 500 idle sessions to
// 100, each one a full SDK server on the gateway's side.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MiB, settledHeap } from './memory.ts';
import { openSession, rpc, sleep, startCore, targetOf, type OpenedSession } from './mcp-session.ts';
import { openSse, type SseStream, type Target } from './raw-http.ts';

const IDLE = 100;

async function notFound(target: Target, session: OpenedSession): Promise<boolean> {
  return (await rpc(target, session, 'ping')).status === 404;
}

test('T46 100 sessions left idle past the TTL expire, each id gets 404, and their memory is released', async (t) => {
  const h = await startCore(t, { gateway: { sessionIdleMs: 1_000 } });
  const target = targetOf(h);
  await openSession(target).then((warm) => rpc(target, warm, 'ping'));
  const base = settledHeap();
  const sessions: OpenedSession[] = [];
  for (let i = 0; i < IDLE; i++) sessions.push(await openSession(target));
  const opened = settledHeap() - base;
  // Only guards against hanging: the sweep runs every second and closes sessions idle for more than a second.
  const deadline = Date.now() + 30_000;
  while (h.core.status().sessions > 0 && Date.now() < deadline) await sleep(100);
  assert.equal(h.core.status().sessions, 0, 'every idle session expired');
  const retained = settledHeap() - base;
  t.diagnostic(
    `${IDLE} sessions held ${(opened / MiB).toFixed(1)} MiB; after expiry ${(retained / MiB).toFixed(1)} MiB of ` +
      `a ${(base / MiB).toFixed(1)} MiB baseline`,
  );
  for (const session of sessions) assert.ok(await notFound(target, session), `expired session ${session.id}: 404`);
  assert.ok(retained < base * 0.1, `${(retained / MiB).toFixed(1)} MiB still held after expiry (10% of baseline)`);
});

test('T46 a client at gateway.maxSessionsPerClient: its least recently used idle session closes, or 429 when all are in use', async (t) => {
  const CAP = 3;
  const h = await startCore(t, { gateway: { maxSessionsPerClient: CAP } });
  const target = targetOf(h);
  const first = await openSession(target);
  const others = [await openSession(target), await openSession(target)];
  for (const session of others) assert.equal((await rpc(target, session, 'ping')).status, 200);

  const fourth = await openSession(target);
  assert.ok(await notFound(target, first), 'the least recently used idle session was closed');
  assert.equal(h.core.status().sessions, CAP);

  // All in use: each holds its GET stream open.
  const streams: SseStream[] = [];
  t.after(() => streams.forEach((s) => s.close()));
  for (const session of [...others, fourth]) {
    const headers = { 'mcp-session-id': session.id, 'mcp-protocol-version': session.protocolVersion };
    streams.push(await openSse(target, { headers }));
  }
  const refused = await openSession(target).then(
    () => null,
    (error: Error) => error.message,
  );
  assert.ok(refused !== null, 'the new session was refused');
  assert.match(refused, /HTTP 429/);
  assert.match(refused, /already has 3 sessions open and in use \(gateway\.maxSessionsPerClient\)/);
  assert.equal(h.core.status().sessions, CAP);
  // Another client is not affected by this one's cap.
  const otherClient = await h.connect({ token: await h.mintToken('other-client') });
  const echoed = await otherClient.callTool({ name: 'echo__echo', arguments: { text: 'mine' } });
  assert.deepEqual(echoed.content, [{ type: 'text', text: 'mine' }]);
});
