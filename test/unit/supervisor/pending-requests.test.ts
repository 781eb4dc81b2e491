import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { PendingRequests } from '../../../main/supervisor/pending-requests.ts';
import { settlesWithin } from '../../helpers/settled.ts';

function transport(): Transport & { sent: JSONRPCMessage[] } {
  const sent: JSONRPCMessage[] = [];
  return {
    sent,
    async start() {},
    async close() {},
    async send(message) {
      sent.push(message);
    },
  };
}

test('requests count until answered or cancelled; notifications never count', async () => {
  const pending = new PendingRequests();
  const t = transport();
  pending.watch(t);
  await t.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: {} });
  await t.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: {} });
  await t.send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } });
  assert.equal(pending.count, 2);
  assert.equal(t.sent.length, 3, 'every message still goes out');
  pending.inbound({ jsonrpc: '2.0', id: 1, result: {} });
  assert.equal(pending.count, 1);
  await t.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 2 } });
  assert.equal(pending.count, 0);
});

test('idle resolves true when the last answer arrives, false when the time runs out first', async (t) => {
  const pending = new PendingRequests();
  const tr = transport();
  pending.watch(tr);
  assert.equal(await pending.idle(10), true, 'nothing pending: idle at once');
  await tr.send({ jsonrpc: '2.0', id: 'a', method: 'tools/call', params: {} });
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const waiting = pending.idle(1_000);
  assert.equal(await settlesWithin(waiting), false);
  pending.inbound({ jsonrpc: '2.0', id: 'a', error: { code: -1, message: 'x' } });
  assert.equal(await waiting, true);
  await tr.send({ jsonrpc: '2.0', id: 'b', method: 'tools/call', params: {} });
  const expiring = pending.idle(1_000);
  t.mock.timers.tick(1_000);
  assert.equal(await expiring, false);
  assert.equal(pending.count, 1);
});
