// Security catalogue T85: a crowd of idle connections cannot exhaust the gateway's file descriptors or lock out a
// real client. Scaled from 5,000 connections to 200 against a cap of 20 (gateway.maxConnections, default 512):
// the property is the same, and 5,000 sockets on both ends of one test process would mostly measure the machine.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { sleep, startCore, targetOf } from './mcp-session.ts';

const CAP = 20;
const CROWD = 200;

/** File descriptors this process holds (the gateway's and the test's sockets alike). */
function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

function idleSocket(port: number): Promise<{ socket: Socket; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('error', () => {});
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.once('connect', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}

test('T85 connections past gateway.maxConnections are closed at once, fds stay bounded, a real client is served', async (t) => {
  const h = await startCore(t, { gateway: { maxConnections: CAP } });
  const { port } = targetOf(h);
  const fdsBefore = openFds();
  const crowd: { socket: Socket; closed: Promise<void>; isClosed: boolean }[] = [];
  t.after(() => crowd.forEach((c) => c.socket.destroy()));
  for (let i = 0; i < CROWD; i++) {
    const held = { ...(await idleSocket(port)), isClosed: false };
    void held.closed.then(() => (held.isClosed = true));
    crowd.push(held);
  }
  // The gateway closed all but the newest CAP of them: each new one made room by closing the oldest idle one.
  const deadline = Date.now() + 20_000;
  while (crowd.filter((c) => !c.isClosed).length > CAP && Date.now() < deadline) await sleep(20);
  const open = crowd.filter((c) => !c.isClosed);
  assert.equal(open.length, CAP, `${open.length} of ${CROWD} idle connections still open`);
  assert.deepEqual(open, crowd.slice(-CAP), 'the oldest idle ones were closed');
  // Both ends of each socket live in this process: the gateway's side is bounded by the cap.
  const grown = openFds() - fdsBefore;
  t.diagnostic(`${CROWD} idle connections, cap ${CAP}: ${open.length} open, fds grew by ${grown}`);
  assert.ok(grown <= 2 * CAP + 10, `file descriptors grew by ${grown}`);

  const client = await h.connect();
  const echoed = await client.callTool({ name: 'echo__echo', arguments: { text: 'served' } });
  assert.deepEqual(echoed.content, [{ type: 'text', text: 'served' }], 'a real client is served');
  const logged = h.logLines.filter((l) => l.includes(`gateway.maxConnections (${CAP}) reached`));
  assert.ok(logged.length > 0, 'the log names the limit');
});
